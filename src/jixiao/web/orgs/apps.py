from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "jixiao.web.orgs"
    label = "orgs"
    verbose_name = "组织与账号"

    def ready(self) -> None:
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

        from jixiao.web.orgs import audit, security, totp, views

        audit.connect(self)
        user_logged_in.connect(security.on_login, dispatch_uid="jixiao-security-login")
        user_logged_in.connect(views.on_login, dispatch_uid="jixiao-must-change")
        user_logged_in.connect(totp.on_login, dispatch_uid="jixiao-second-factor")
        user_logged_out.connect(security.on_logout, dispatch_uid="jixiao-security-logout")
        user_login_failed.connect(security.on_failed, dispatch_uid="jixiao-security-failed")
        user_locked_out.connect(security.on_locked_out, dispatch_uid="jixiao-security-lockout")
