"""A task (后台任务) and a schedule (定时任务), rows of the database every app server and
worker of a deployment shares."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Task(models.Model):
    """One run of a registered task function: its arguments, where it is, its progress
    and its result or error. A worker holds it by a lease (``lease_until``) it renews
    while working; a lease run out means the worker died, and any worker takes it again."""

    class State(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("运行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")
        CANCELLED = "cancelled", _("已取消")

    name = models.CharField("任务", max_length=64, db_index=True)
    args = models.JSONField("参数", default=dict)
    state = models.CharField(
        "状态", max_length=16, choices=State.choices, default=State.QUEUED, db_index=True
    )
    attempts = models.PositiveSmallIntegerField("已尝试次数", default=0)
    max_attempts = models.PositiveSmallIntegerField("最多尝试次数", default=3)
    timeout = models.PositiveIntegerField("时限（秒）", default=600)
    run_after = models.DateTimeField("最早开始时间", db_index=True)
    lease_until = models.DateTimeField("租约到期", null=True, blank=True)
    worker = models.CharField("执行进程", max_length=128, blank=True)
    cancel_requested = models.BooleanField("已请求取消", default=False)
    done = models.PositiveIntegerField("已完成", default=0)
    total = models.PositiveIntegerField("总数", default=0)
    note = models.CharField("进度说明", max_length=300, blank=True)
    result = models.JSONField("结果", null=True, blank=True)
    error = models.TextField("失败原因", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="发起人",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    schedule = models.ForeignKey(
        "Schedule", on_delete=models.SET_NULL, null=True, blank=True, related_name="tasks"
    )

    class Meta:
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        indexes = [models.Index(fields=["state", "run_after"])]

    def __str__(self) -> str:
        return f"{self.name} #{self.pk}（{self.get_state_display()}）"


class Schedule(models.Model):
    """定时任务: a task enqueued every ``every`` seconds from ``next_run`` on. The worker
    that moves ``next_run`` on (a compare-and-set) is the one that enqueues it, so two
    workers never enqueue the same run twice."""

    key = models.CharField("标识", max_length=64, unique=True)
    name = models.CharField("任务", max_length=64)
    args = models.JSONField("参数", default=dict)
    every = models.PositiveIntegerField("间隔（秒）")
    next_run = models.DateTimeField("下次运行")
    enabled = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "定时任务"
        verbose_name_plural = "定时任务"

    def __str__(self) -> str:
        return f"{self.key}（每 {self.every} 秒）"


class Upload(models.Model):
    """A file a task reads (a bulk import's), kept in the database where every worker of a
    deployment sees it (and backups cover it) until the task's results expire."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="uploads")
    number = models.PositiveIntegerField("序号")
    name = models.CharField("文件名", max_length=255)
    content = models.BinaryField("内容")

    class Meta:
        verbose_name = "任务文件"
        verbose_name_plural = "任务文件"
        constraints = [models.UniqueConstraint(fields=["task", "number"], name="one_upload_number")]


class Output(models.Model):
    """The file a task made (a bulk export's zip), in the database where every app server
    sees it, until ``expires_at`` (``JIXIAO_RESULT_DAYS``); the nightly sweep deletes it."""

    task = models.OneToOneField(Task, on_delete=models.CASCADE, related_name="output")
    name = models.CharField("文件名", max_length=255)
    content_type = models.CharField("类型", max_length=100)
    content = models.BinaryField("内容")
    size = models.PositiveBigIntegerField("大小")
    expires_at = models.DateTimeField("过期时间", db_index=True)

    class Meta:
        verbose_name = "任务结果文件"
        verbose_name_plural = "任务结果文件"
