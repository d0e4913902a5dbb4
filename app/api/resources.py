"""JSON API resources: one MethodView per URL, schemas in and out, errors by abort."""
from flask import g, request
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint

from ..services.errors import ServiceError, ValidationFailed
from ..services.notify import notifications
from ..services.workflow import cases, definition_admin, definitions, deploy, pages, queries, tasks
from ..services.workflow.approval import case_actions, handover, signers
from . import schemas as s
from .auth import authenticate_request
from .errors import error_response
from .openapi import operation, xml_upload

blp = Blueprint("api_v1", __name__, url_prefix="/api/v1", description="Process definitions, cases and tasks")
blp.before_request(authenticate_request)


@blp.errorhandler(ServiceError)
def _service_error(exc):
    return error_response(exc.status, exc.message, exc.errors)


def _page(page):
    return {"items": page.items, "total": page.total, "page": page.page, "per_page": page.per_page}


def _uploaded(extension):
    """A deploy's file: the multipart `file`, or the XML as the body named by ?filename= (see xml_upload)."""
    upload = request.files.get("file")
    data = upload.read() if upload else request.get_data()
    filename = (upload.filename if upload else request.args.get("filename")) or f"uploaded.{extension}"
    if not data:
        raise ValidationFailed(_("No .%(extension)s file was sent.", extension=extension),
                               {"file": [_("Send a .%(extension)s file.", extension=extension)]})
    return data, filename


def _definition(d, stopped=None):
    d.form_keys = sorted(d.forms or {})
    d.start_enabled = d.key not in (definition_admin.disabled_keys() if stopped is None else stopped)
    return d


@blp.route("/definitions")
class Definitions(MethodView):
    @blp.arguments(s.DefinitionQuerySchema, location="query")
    @blp.response(200, s.DefinitionSchema(many=True))
    @operation(blp, "listDefinitions", 401, 422)
    def get(self, args):
        """List process definitions (newest version of each, or all versions)"""
        rows = definitions.list_all() if args["all_versions"] else definitions.list_latest()
        stopped = definition_admin.disabled_keys()
        return [_definition(d, stopped) for d in rows]

    @blp.response(201, s.DeployResultSchema)
    @blp.alt_response(200, schema=s.DeployResultSchema, description="identical content: existing version returned")
    @blp.doc(**xml_upload("bpmn"))
    @operation(blp, "deployDefinition", 401, 403, 409, described={
        422: "the diagram was refused; `errors.bpmn` says why and where"})
    def post(self):
        """Deploy a BPMN diagram (administrators): multipart `file`, or the XML as the request body"""
        data, filename = _uploaded("bpmn")
        definition, created, warnings = deploy.deploy_with_warnings(g.user, data, filename)
        return {"definition": _definition(definition), "created": created, "warnings": warnings}, \
            (201 if created else 200)


@blp.route("/decisions")
class Decisions(MethodView):
    @blp.arguments(s.DefinitionQuerySchema, location="query")
    @blp.response(200, s.DecisionDefinitionSchema(many=True))
    @operation(blp, "listDecisions", 401, 422)
    def get(self, args):
        """List deployed DMN files (newest version of each, or all versions)"""
        return definitions.list_decision_definitions(args["all_versions"])

    @blp.response(201, s.DecisionDeployResultSchema)
    @blp.alt_response(200, schema=s.DecisionDeployResultSchema, description="identical content: existing version")
    @blp.doc(**xml_upload("dmn"))
    @operation(blp, "deployDecision", 401, 403, 409, described={
        422: "the DMN was refused; `errors.dmn` names each decision, rule row and column"})
    def post(self):
        """Deploy a DMN file (administrators): multipart `file`, or the XML as the request body.
        Processes whose newest version evaluates it are deployed again, pinned to the new rules."""
        data, filename = _uploaded("dmn")
        decision, created, redeployed = deploy.deploy_decision(g.user, data, filename)
        return {"decision": decision, "created": created,
                "redeployed": [{"key": key, "version": version} for key, version in redeployed]}, \
            (201 if created else 200)


@blp.route("/instances")
class Instances(MethodView):
    @blp.arguments(s.InstanceQuerySchema, location="query")
    @blp.response(200, s.InstancePageSchema)
    @operation(blp, "listInstances", 401, 422)
    def get(self, args):
        """List cases I may see (or only those I started, with mine=true)"""
        if args["mine"]:
            return _page(queries.my_instances(g.user, args["page"], args["per_page"]))
        return _page(queries.visible_instances(g.user, args["status"], args["process"], args["page"], args["per_page"]))

    @blp.arguments(s.StartSchema)
    @blp.response(201, s.InstanceSchema)
    @operation(blp, "startInstance", 401, 403, 404, 409, 422)
    def post(self, args):
        """Start a case of the newest version of a process"""
        return cases.start_instance(g.user, args["process_key"])


@blp.route("/instances/<int:instance_id>")
class InstanceDetail(MethodView):
    @blp.response(200, s.InstanceDetailSchema)
    @operation(blp, "getInstance", 401, 403, 404)
    def get(self, instance_id):
        """Get a case with its tasks, audit events and diagram state"""
        detail = pages.case_detail(g.user, instance_id)
        instance = detail.instance
        instance.tasks, instance.events = detail.tasks, detail.events
        instance.completed_elements, instance.active_elements = detail.completed, detail.active
        instance.audit_chain_ok = detail.chain.ok
        return instance


@blp.route("/tasks")
class Tasks(MethodView):
    @blp.arguments(s.TaskQuerySchema, location="query")
    @blp.response(200, s.TaskPageSchema)
    @operation(blp, "listTasks", 401, 422)
    def get(self, args):
        """My inbox: tasks assigned to me and unclaimed tasks of my groups"""
        f = queries.InboxFilter(process_key=args["process"], district=args["district"],
                                date_from=args["date_from"].isoformat() if args["date_from"] else "",
                                date_to=args["date_to"].isoformat() if args["date_to"] else "", scope=args["scope"],
                                sort=args["sort"])
        return _page(queries.inbox(g.user, f, args["page"], args["per_page"]))


@blp.route("/tasks/done")
class DoneTasks(MethodView):
    @blp.arguments(s.PageQuerySchema, location="query")
    @blp.response(200, s.TaskPageSchema)
    @operation(blp, "listDoneTasks", 401, 422)
    def get(self, args):
        """Tasks I completed"""
        return _page(queries.done(g.user, args["page"], args["per_page"]))


@blp.route("/tasks/<int:task_id>")
class TaskDetail(MethodView):
    @blp.response(200, s.TaskDetailSchema)
    @operation(blp, "getTask", 401, 403, 404)
    def get(self, task_id):
        """Get a task with its form schema and version"""
        return tasks.task_detail(g.user, task_id)


@blp.route("/tasks/<int:task_id>/claim")
class TaskClaim(MethodView):
    @blp.arguments(s.VersionSchema)
    @blp.response(200, s.TaskSchema)
    @operation(blp, "claimTask", 401, 403, 404, 409, 422)
    def post(self, args, task_id):
        """Claim a task offered to one of my groups"""
        return tasks.claim(g.user, task_id, args.get("version"))


@blp.route("/tasks/<int:task_id>/release")
class TaskRelease(MethodView):
    @blp.arguments(s.VersionSchema)
    @blp.response(200, s.TaskSchema)
    @operation(blp, "releaseTask", 401, 403, 404, 409, 422)
    def post(self, args, task_id):
        """Give a claimed task back to its groups"""
        return tasks.release(g.user, task_id, args.get("version"))


@blp.route("/tasks/<int:task_id>/draft")
class TaskDraft(MethodView):
    @blp.arguments(s.CompleteSchema)
    @blp.response(200, s.TaskSchema)
    @operation(blp, "saveTaskDraft", 401, 403, 404, 409, 422)
    def post(self, args, task_id):
        """Save unfinished form data on a task"""
        return tasks.save_draft(g.user, task_id, args["data"], args.get("version"))


@blp.route("/tasks/<int:task_id>/complete")
class TaskComplete(MethodView):
    @blp.arguments(s.CompleteSchema)
    @blp.response(200, s.TaskSchema)
    @operation(blp, "completeTask", 401, 404, described={
        403: "the task is not yours", 409: "already completed, or changed since you loaded it",
        422: "form errors per field in `errors`"})
    def post(self, args, task_id):
        """Complete a task with its form data"""
        return tasks.complete(g.user, task_id, args["data"], args.get("version"))


@blp.route("/tasks/<int:task_id>/transfer")
class TaskTransfer(MethodView):
    @blp.arguments(s.PersonSchema)
    @blp.response(200, s.TaskSchema)
    @operation(blp, "transferTask", 401, 403, 404, 409, 422)
    def post(self, args, task_id):
        """Transfer a task to someone else (转办)"""
        return handover.transfer(g.user, task_id, args["user"], args.get("note", ""))


@blp.route("/tasks/<int:task_id>/delegate")
class TaskDelegate(MethodView):
    @blp.arguments(s.PersonSchema)
    @blp.response(200, s.TaskSchema)
    @operation(blp, "delegateTask", 401, 403, 404, 409, 422)
    def post(self, args, task_id):
        """Delegate a task (委派); it comes back to you to finish"""
        return handover.delegate(g.user, task_id, args["user"], args.get("note", ""))


@blp.route("/tasks/<int:task_id>/resolve")
class TaskResolve(MethodView):
    @blp.arguments(s.OpinionSchema)
    @blp.response(200, s.TaskSchema)
    @operation(blp, "resolveTask", 401, 403, 404, 409, 422)
    def post(self, args, task_id):
        """Hand a delegated task back to its owner with an opinion"""
        return handover.resolve_delegation(g.user, task_id, args.get("opinion", ""))


@blp.route("/tasks/<int:task_id>/return-to")
class TaskReturnTo(MethodView):
    @blp.arguments(s.ReturnToSchema)
    @blp.response(200, s.InstanceSchema)
    @operation(blp, "returnTaskToStep", 401, 403, 404, 409, 422)
    def post(self, args, task_id):
        """Send the case back to a named earlier step (退回到指定环节)"""
        return case_actions.return_to(g.user, task_id, args["step"], args["opinion"])


@blp.route("/tasks/<int:task_id>/signers")
class TaskSigners(MethodView):
    @blp.arguments(s.SignerSchema)
    @blp.response(200, s.TaskSchema)
    @operation(blp, "addTaskSigner", 401, 403, 404, 409, 422)
    def post(self, args, task_id):
        """Add a signer to a step with several approvers (加签)"""
        return signers.add_signer(g.user, task_id, args["user"], args["position"], args["reason"])


@blp.route("/tasks/<int:task_id>/signers/<username>")
class TaskSigner(MethodView):
    @blp.arguments(s.SignerRemovalSchema, location="query")
    @blp.response(200, s.TaskSchema)
    @operation(blp, "removeTaskSigner", 401, 403, 404, 409, 422)
    def delete(self, args, task_id, username):
        """Remove a signer who has not decided yet (减签)"""
        return signers.remove_signer(g.user, task_id, username, args["reason"])


@blp.route("/instances/<int:instance_id>/urge")
class InstanceUrge(MethodView):
    @blp.arguments(s.NoteSchema)
    @blp.response(200, s.CountSchema)
    @operation(blp, "urgeInstance", 401, 403, 404, 409, 422)
    def post(self, args, instance_id):
        """Remind the current approvers (催办; rate-limited)"""
        return {"count": case_actions.urge(g.user, instance_id, args.get("note", ""))}


@blp.route("/instances/<int:instance_id>/withdraw")
class InstanceWithdraw(MethodView):
    @blp.response(200, s.InstanceSchema)
    @operation(blp, "withdrawInstance", 401, 403, 404, 409, 422)
    def post(self, instance_id):
        """Withdraw a case (撤回, the initiator) while nobody has acted on the next step"""
        return case_actions.take_back(g.user, instance_id, "withdraw")


@blp.route("/instances/<int:instance_id>/reclaim")
class InstanceReclaim(MethodView):
    @blp.response(200, s.InstanceSchema)
    @operation(blp, "reclaimInstance", 401, 403, 404, 409, 422)
    def post(self, instance_id):
        """Take back your last decision (拿回) while the next step is untouched"""
        return case_actions.take_back(g.user, instance_id, "reclaim")


@blp.route("/instances/<int:instance_id>/cc")
class InstanceCopy(MethodView):
    @blp.arguments(s.CopySchema)
    @blp.response(200, s.CountSchema)
    @operation(blp, "copyInstance", 401, 403, 404, 409, 422)
    def post(self, args, instance_id):
        """Copy a case to people for information (抄送)"""
        return {"count": case_actions.carbon_copy(g.user, instance_id, args["users"], args.get("note", ""))}


@blp.route("/notifications")
class Notifications(MethodView):
    @blp.response(200, s.NotificationSchema(many=True))
    @operation(blp, "listNotifications", 401)
    def get(self):
        """My notifications, newest first"""
        return notifications.latest(g.user)
