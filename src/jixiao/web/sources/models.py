"""The file a form was imported from (:mod:`jixiao.web.sources`)."""

from django.db import models

from jixiao.web.evaluations.models import Evaluation


class SourceFile(models.Model):
    """The uploaded file one form was read from: a scan, a PDF, a workbook …"""

    evaluation = models.OneToOneField(
        Evaluation, models.CASCADE, related_name="source_file", verbose_name="自评表"
    )
    name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField(max_length=64)
    content = models.BinaryField("内容")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "原件"

    def __str__(self) -> str:
        return self.name
