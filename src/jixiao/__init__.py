"""jixiao (绩效): read, score, audit and export 财政项目支出绩效自评表."""

__version__ = "0.2.0"
