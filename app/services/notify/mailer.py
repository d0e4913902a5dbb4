"""E-mail copies of notifications, sent after the command that caused them commits.

A rolled-back command sends nothing; a mail server that is down loses the
e-mail, never the step (the in-app notification is always there)."""
import logging
import smtplib
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import select

from ...extensions import db
from ...models import User

log = logging.getLogger(__name__)


def queue(ctx, user_ids, message):
    """Send `message` to these users once the command `ctx` has committed."""
    ctx.outbox.append((list(user_ids), message))


def deliver(outbox):
    """Send what a committed command queued (called by the command after its commit)."""
    if not outbox or not current_app.config.get("SMTP_HOST"):
        return 0
    config = current_app.config
    sent = 0
    try:
        with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=10) as smtp:
            if config.get("SMTP_TLS"):
                smtp.starttls()
            if config.get("SMTP_USER"):
                smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"])
            for user_ids, message in outbox:
                addresses = [a for a in db.session.execute(select(User.email).where(
                    User.id.in_(user_ids), User.email.is_not(None))).scalars() if a]
                if not addresses:
                    continue
                mail = EmailMessage()
                mail["From"], mail["To"] = config["SMTP_FROM"], ", ".join(addresses)
                mail["Subject"] = f"[ChainQ] {message[:80]}"
                mail.set_content(message)
                smtp.send_message(mail)
                sent += 1
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("e-mail notifications not sent: %s", exc)
    return sent
