"""Operations on running cases in the JSON API. Administrators': suspend, resume, terminate, migrate to
another version (a dry run, then a batch run that can be resumed), and the incidents: list, read and
retry them (both kinds, named `step-12` / `timer-7`), and correct a case's data. Beside termination,
the initiator's own cancellation (撤销), which ends a case the same way."""
from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

from ..services.errors import ServiceError
from ..services.operations import (
    cancellation,
    incident_refs,
    incidents,
    migration,
    migration_batches,
    suspension,
    termination,
)
from . import incident_schemas as i, operation_schemas as s
from .auth import authenticate_request
from .errors import error_response
from .openapi import operation
from .schemas import InstanceSchema

blp = Blueprint("api_operations", __name__, url_prefix="/api/v1",
                description="Operations on running cases: administrators' (suspend, resume, terminate, "
                            "migrate, incidents) and the initiator's cancellation")
blp.before_request(authenticate_request)


@blp.errorhandler(ServiceError)
def _service_error(exc):
    return error_response(exc.status, exc.message, exc.errors)


@blp.route("/instances/<int:instance_id>/suspend")
class Suspend(MethodView):
    @blp.arguments(s.SuspendRequestSchema)
    @blp.response(200, InstanceSchema)
    @operation(blp, "suspendInstance", 401, 403, 404, 422, described={409: "the case is not running"})
    def post(self, args, instance_id):
        """Suspend a running case: its tasks leave the inboxes, its timers stop with their remaining time kept"""
        return suspension.suspend(g.user, instance_id, args["reason"])


@blp.route("/instances/<int:instance_id>/resume")
class Resume(MethodView):
    @blp.response(200, InstanceSchema)
    @operation(blp, "resumeInstance", 401, 403, 404, described={409: "the case is not suspended"})
    def post(self, instance_id):
        """Resume a suspended case: each timer falls due the time it had left after now"""
        return suspension.resume(g.user, instance_id)


@blp.route("/instances/<int:instance_id>/terminate")
class Terminate(MethodView):
    @blp.arguments(s.TerminateRequestSchema)
    @blp.response(200, InstanceSchema)
    @operation(blp, "terminateInstance", 401, 403, 404, 422, described={409: "the case has already ended"})
    def post(self, args, instance_id):
        """Terminate a case with a reason: open tasks cancelled, timers removed, the initiator told"""
        return termination.terminate(g.user, instance_id, args["reason"])


@blp.route("/instances/<int:instance_id>/cancel")
class Cancel(MethodView):
    @blp.arguments(s.CancelRequestSchema)
    @blp.response(200, InstanceSchema)
    @operation(blp, "cancelInstance", 401, 404, 422, described={
        403: "not the case's initiator (an administrator terminates instead), a case another case's step started, "
             "or a process whose initiator may not cancel (process property initiatorMayCancel=false)",
        409: "the case is suspended or has ended, or it is decided already (a sharing request answered, a licence "
             "in force, an achievement published, a project approved)"})
    def post(self, args, instance_id):
        """Cancel your own application (撤销, the initiator) while it runs undecided: it ends as terminated"""
        return cancellation.cancel_own_case(g.user, instance_id, args["reason"])


@blp.route("/migrations/dry-run")
class MigrationDryRun(MethodView):
    @blp.arguments(s.MigrationRequestSchema)
    @blp.response(200, s.DryRunSchema)
    @operation(blp, "dryRunMigration", 401, 403, 404, 422)
    def post(self, args):
        """Which of the chosen cases can move to another version, and why the others cannot (changes nothing)"""
        return migration.dry_run(g.user, args["processKey"], args["toVersion"], args["fromVersion"], args["status"],
                                 args["instanceId"], args["mapping"])


@blp.route("/migrations")
class Migrations(MethodView):
    @blp.arguments(s.MigrationRequestSchema)
    @blp.response(201, s.MigrationBatchSchema)
    @operation(blp, "startMigration", 401, 403, 404, 422)
    def post(self, args):
        """Record a migration batch for the chosen cases (one pending row per case); run it with /run"""
        batch = migration_batches.start_batch(g.user, args["processKey"], args["toVersion"], args["fromVersion"],
                                              args["status"], args["mapping"], args["instanceId"])
        return migration_batches.progress(g.user, batch.id)


@blp.route("/migrations/<int:batch_id>")
class Migration(MethodView):
    @blp.response(200, s.MigrationBatchSchema)
    @operation(blp, "getMigration", 401, 403, 404)
    def get(self, batch_id):
        """A migration batch's progress: each case pending, migrated, or failed with the reason"""
        return migration_batches.progress(g.user, batch_id)


@blp.route("/migrations/<int:batch_id>/run")
class MigrationRun(MethodView):
    @blp.arguments(s.RunBatchRequestSchema)
    @blp.response(200, s.MigrationBatchSchema)
    @operation(blp, "runMigration", 401, 403, 404, 422)
    def post(self, args, batch_id):
        """Migrate the batch's pending cases, each in its own transaction (a re-run goes on where one stopped)"""
        return migration_batches.run_batch(g.user, batch_id, args["limit"])


@blp.route("/incidents")
class Incidents(MethodView):
    @blp.arguments(i.IncidentQuerySchema, location="query")
    @blp.response(200, i.IncidentPageSchema)
    @operation(blp, "listIncidents", 401, 403, 422)
    def get(self, args):
        """Incidents, newest first: steps that failed after a decision, timers parked after every retry"""
        page = incident_refs.search(g.user, incident_refs.IncidentFilter(
            status=args["status"], kind=args["kind"], process_key=args["processKey"], instance_id=args["instanceId"]),
            args["page"], args["per_page"])
        return {"items": page.items, "total": page.total, "page": page.page, "per_page": page.per_page}


@blp.route("/incidents/<incident:incident_id>")
class IncidentDetail(MethodView):
    @blp.response(200, i.IncidentDetailSchema)
    @operation(blp, "getIncident", 401, 403, 404)
    def get(self, incident_id):
        """An incident: the error, the element, the case, when, the attempts, and the case data the next steps read"""
        return incident_refs.detail(g.user, incident_id)


@blp.route("/incidents/<incident:incident_id>/retry")
class IncidentRetry(MethodView):
    @blp.response(200, i.IncidentSchema)
    @operation(blp, "retryIncident", 401, 403, 404, described={
        409: "the step incident is resolved already, or its case is not running"})
    def post(self, incident_id):
        """Retry: a step runs again now (resolved, or open with the new error); a timer's job is due again now"""
        return incident_refs.retry(g.user, incident_id)


@blp.route("/instances/<int:instance_id>/data")
class InstanceData(MethodView):
    @blp.arguments(i.DataCorrectionRequestSchema)
    @blp.response(200, i.DataCorrectionSchema)
    @operation(blp, "correctInstanceData", 401, 403, 404, 422, described={409: "the case has ended"})
    def patch(self, args, instance_id):
        """Correct a case's data with a reason: set and remove fields the next steps read (audited: before, after)"""
        return incidents.patch_data(g.user, instance_id, args["modifications"], args["deletions"], args["reason"])
