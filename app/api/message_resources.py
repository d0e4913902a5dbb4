"""Messages and signals in the JSON API: send a message (correlate), broadcast a signal, and the
pending messages (administrators). Who may send: docs/messages.md."""
from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

from ..services.errors import ServiceError
from ..services.workflow import messages
from . import message_schemas as s
from .auth import authenticate_request
from .errors import error_response
from .openapi import operation

blp = Blueprint("api_messages", __name__, url_prefix="/api/v1",
                description="BPMN messages and signals: deliver to waiting cases or start new ones")
blp.before_request(authenticate_request)


@blp.errorhandler(ServiceError)
def _service_error(exc):
    return error_response(exc.status, exc.message, exc.errors)


@blp.route("/messages")
class Messages(MethodView):
    @blp.arguments(s.MessageRequestSchema)
    @blp.response(200, s.DeliveryResultSchema)
    @operation(blp, "correlateMessage", 401, 422, described={
        403: "a receiving process does not allow you to send it messages",
        404: "no running case and no process start waits for the message",
        409: "several receivers wait for the message and `all` is false"})
    def post(self, args):
        """Deliver a message to the one case or process start waiting for it (or to all)"""
        delivered = messages.correlate(g.user, args["messageName"], business_key=args["businessKey"],
                                       correlation_keys=args["correlationKeys"], variables=args["processVariables"],
                                       all=args["all"])
        return {"delivered": delivered}


@blp.route("/signals")
class Signals(MethodView):
    @blp.arguments(s.SignalRequestSchema)
    @blp.response(200, s.DeliveryResultSchema)
    @operation(blp, "broadcastSignal", 401, 422, described={
        403: "a receiving process does not allow you to send it signals"})
    def post(self, args):
        """Broadcast a signal to every waiting case and signal start event"""
        return {"delivered": messages.broadcast_signal(g.user, args["signalName"], args["processVariables"])}


@blp.route("/messages/pending")
class PendingMessages(MethodView):
    @blp.response(200, s.PendingMessageSchema(many=True))
    @operation(blp, "listPendingMessages", 401, 403)
    def get(self):
        """List thrown messages that no case or process waited for (administrators)"""
        return messages.pending_messages(g.user)


@blp.route("/messages/pending/deliveries")
class PendingDeliveries(MethodView):
    @blp.response(200, s.PendingDeliverySchema)
    @operation(blp, "deliverPendingMessages", 401, 403)
    def post(self):
        """Deliver the pending messages that now have exactly one receiver (administrators)"""
        return {"delivered": messages.retry_pending(g.user)}
