"""The browser UI: thin Jinja views over the services."""
from flask import g, request, send_from_directory, session
from flask_babel import get_locale
from markupsafe import Markup, escape

from ..domain.districts import DISTRICTS, district_label
from ..services.audit.replay import may_audit
from ..services.identity import users
from ..services.identity.permissions import is_admin
from ..services.notify.notifications import unread_count
from ..services.workflow import queries
from . import (
    account_views,
    achievement_views,
    admin_views,
    approval_views,
    audit_views,
    auth,
    definition_views,
    editor_views,
    filters,
    licence_views,
    modeler_views,
    operations_views,
    problem_views,
    project_views,
    sharing_views,
    statistics_views,
    views,
)


def init_app(app):
    app.register_blueprint(admin_views.bp)
    app.register_blueprint(account_views.bp)
    app.register_blueprint(editor_views.bp)
    app.register_blueprint(operations_views.bp)
    app.register_blueprint(approval_views.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(views.bp)
    app.register_blueprint(problem_views.bp)
    app.register_blueprint(project_views.bp)
    app.register_blueprint(achievement_views.bp)
    app.register_blueprint(sharing_views.bp)
    app.register_blueprint(audit_views.bp)
    app.register_blueprint(statistics_views.bp)
    app.register_blueprint(licence_views.bp)
    app.register_blueprint(definition_views.bp)
    app.register_blueprint(modeler_views.bp)
    filters.init_app(app)

    @app.route("/static/vendor/<path:filename>")
    def vendor_file(filename):
        """bpmn-js, Swagger UI and ECharts, served from the folder `make vendor` fills."""
        return send_from_directory(app.config["VENDOR_FOLDER"], filename, max_age=86400)

    @app.before_request
    def load_user():
        if request.blueprint == "ops":      # health, readiness, metrics: no login session, no database
            g.user = None
            return
        g.user = users.user_for_session(session.get("user_id"), session.get("generation"))
        return auth.password_change_gate()

    @app.context_processor
    def globals_for_templates():
        locale = str(get_locale() or "zh_CN")
        user = g.get("user")
        return {"DISTRICTS": DISTRICTS, "district_label": lambda c: district_label(c, locale),
                "locale": locale, "beside": _chinese_beside(locale), "may_audit": may_audit(user) if user else False,
                "is_admin": is_admin(user) if user else False, "min_password_length": users.MIN_PASSWORD_LENGTH,
                "people_list_limit": users.PEOPLE_LIST_LIMIT,
                "unread_notifications": (lambda: unread_count(user)) if user else (lambda: 0),
                "waiting_tasks": (lambda: queries.inbox_count(user)) if user else (lambda: 0)}


def _chinese_beside(locale):
    """A heading's Chinese term beside it (<small>待办</small>) — in the English UI only: in the
    Chinese UI the heading already is that term."""
    if locale.startswith("zh"):
        return lambda term: ""
    return lambda term: Markup(" <small>%s</small>") % escape(term)
