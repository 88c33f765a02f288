"""The template of each year and department (每年度、每个主管部门所用的模板)."""

from __future__ import annotations

from django.db import models

from jixiao.web.orgs.models import Organisation


class YearTemplate(models.Model):
    """The template a year's forms are filled in: for one 主管部门 (and its units), or for
    every department when ``department`` is empty (the year's default). Set by the system
    administrator; read by :func:`jixiao.web.manage.templates.chosen`."""

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

    class Meta:
        verbose_name = verbose_name_plural = "年度模板"
        ordering = ["-year", "department__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "department"], name="one_template_per_year_department"
            ),
            models.UniqueConstraint(
                fields=["year"],
                condition=models.Q(department__isnull=True),
                name="one_default_template_per_year",
            ),
        ]

    def __str__(self) -> str:
        where = self.department.name if self.department_id and self.department else "全部"
        return f"{self.year} {where}：{self.template}"
