"""佐证材料: the files that back an indicator's reported result.

Stored in the database (not on disk), so the backup of the database
(``jixiao backup``) carries them as well; each file is limited in size and type
(:data:`MAX_BYTES`, :data:`TYPES`). An evidence file belongs to an indicator by
its name (三级指标), which survives the rows being reordered.
"""

from __future__ import annotations

from django.db import models

from jixiao.web.evaluations.models import Evaluation

MAX_BYTES = 10 * 1024 * 1024
TYPES = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


class Evidence(models.Model):
    """One evidence file of one indicator of one form."""

    evaluation = models.ForeignKey(
        Evaluation, models.PROTECT, related_name="evidence", verbose_name="自评表"
    )
    indicator = models.CharField("三级指标", max_length=200)
    name = models.CharField("文件名", max_length=200)
    content_type = models.CharField("类型", max_length=100)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField(max_length=64)
    content = models.BinaryField("内容")
    uploaded_by = models.CharField("上传人账号", max_length=150)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "佐证材料"
        ordering = ["indicator", "uploaded_at"]

    def __str__(self) -> str:
        return f"{self.indicator}：{self.name}"
