"""The template of each year and department (每年度、每个主管部门所用的模板)."""

from __future__ import annotations

from django.db import models

from jixiao.web.orgs.models import Organisation


class YearTemplate(models.Model):
    """The template a year's forms of one kind (项目支出, 转移支付, 部门整体支出: the template's
    own kind) are filled in: for one 主管部门 (and its units), or for every department when
    ``department`` is empty (the year's default). Set by the system administrator; read by
    :func:`jixiao.web.manage.year_templates.chosen`."""

    year = models.PositiveSmallIntegerField("年度")
    department = models.ForeignKey(
        Organisation,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="主管部门（空：全部）",
        limit_choices_to={"kind": Organisation.Kind.DEPARTMENT},
    )
    template = models.CharField("模板", max_length=64)
    kind = models.CharField(  # the template's: a department has one of each kind a year
        "类别",
        max_length=16,
        default="project",
        choices=[("project", "项目支出"), ("transfer", "转移支付"), ("department", "部门整体支出")],
    )

    class Meta:
        verbose_name = verbose_name_plural = "年度模板"
        ordering = ["-year", "department__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "department", "kind"], name="one_template_per_year_department_kind"
            ),
            models.UniqueConstraint(
                fields=["year", "kind"],
                condition=models.Q(department__isnull=True),
                name="one_default_template_per_year_kind",
            ),
        ]

    def __str__(self) -> str:
        where = self.department.name if self.department_id and self.department else "全部"
        return f"{self.year} {where}：{self.template}"
