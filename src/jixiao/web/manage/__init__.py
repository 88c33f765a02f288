"""Administration in the product's own pages (系统管理): the organisation tree (财政局 → 主管部门 →
单位), accounts, projects, each year's template per department and approved targets, each
importable from xlsx, for the system and security administrators."""
