"""E-mail copies of notifications, sent after the command that caused them commits, each in its
recipient's language (the one they last chose in the app; the default language otherwise).

A rolled-back command sends nothing; a mail server that is down loses the
e-mail, never the step (the in-app notification is always there)."""
import logging
import smtplib
from email.message import EmailMessage

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select

from ...extensions import db
from ...models import User

log = logging.getLogger(__name__)


def queue(ctx, user_ids, message):
    """Send `message` to these users once the command `ctx` has committed: a text, or a function
    rendering it in the current language (each recipient gets it in their own, User.locale)."""
    ctx.outbox.append((list(user_ids), message))


def _in_languages(user_ids, message, default):
    """[(addresses, text)]: one e-mail per language among the recipients."""
    rows = db.session.execute(select(User.email, User.locale).where(
        User.id.in_(user_ids), User.email.is_not(None))).all()
    by_language = {}
    for address, locale in rows:
        if address:
            by_language.setdefault(locale if callable(message) and locale else default, []).append(address)
    mails = []
    for locale, addresses in sorted(by_language.items()):
        if callable(message):
            with force_locale(locale):
                text = message()
        else:
            text = message
        mails.append((addresses, text))
    return mails


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
            default = config.get("BABEL_DEFAULT_LOCALE", "zh_CN")
            for user_ids, message in outbox:
                for addresses, text in _in_languages(user_ids, message, default):
                    mail = EmailMessage()
                    mail["From"], mail["To"] = config["SMTP_FROM"], ", ".join(addresses)
                    mail["Subject"] = f"[ChainQ] {text[:80]}"
                    mail.set_content(text)
                    smtp.send_message(mail)
                    sent += 1
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("e-mail notifications not sent: %s", exc)
    return sent
