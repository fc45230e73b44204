"""Email: notifications queued with references only, sent over real SMTP, retried with back-off, sent once."""

import socket
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from portal.data import notifications, referrals
from portal.extensions import db
from portal.infra.mailer import backoff, outbox_status, send_due
from portal.models import NonComplianceReport, OutboxMessage, Referral, Requirement, User

T0 = datetime(2026, 11, 2, 9, 0)
STATEMENT = {"capacity": "Yes.", "dates": "From December.", "safeguarding": "DBS checked.", "attendance": "Weekly."}


class Inbox:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self) -> None:
        self.messages: list = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append((envelope.rcpt_tos, parsed, envelope.content))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(app) -> Iterator[Inbox]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_STARTTLS=False, MAIL_USERNAME="")
    yield inbox
    controller.stop()


@pytest.fixture
def refusing(app) -> int:
    port = free_port()  # nothing listens there: every connection is refused
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_TIMEOUT_SECONDS=5)
    return port


def queue(app, count: int = 1, when: datetime = T0) -> list[int]:
    with app.app_context():
        rows = [
            notifications.queue(f"person{index}@example.org", f"Message {index}", f"Body {index}", "test")
            for index in range(count)
        ]
        for row in rows:
            row.next_attempt_at = when
        db.session.commit()
        return [row.id for row in rows]


def outbox(app) -> list[OutboxMessage]:
    with app.app_context():
        rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        db.session.expunge_all()
        return list(rows)


def send(app, now: datetime = T0, batch: int = 50):
    with app.app_context():
        return send_due(now=now, batch=batch)


# Sending


def test_a_due_message_is_delivered_over_smtp_and_marked_sent(app, smtp) -> None:
    [message_id] = queue(app)
    report = send(app)
    assert report.sent == [message_id]
    [(recipients, email, _raw)] = smtp.messages
    assert recipients == ["person0@example.org"]
    assert email["Subject"] == "Message 0" and email["To"] == "person0@example.org"
    assert email.get_content().strip() == "Body 0"
    assert "KCPO partner portal" in email["From"]
    [row] = outbox(app)
    assert (row.sent_at, row.attempts, row.last_error) == (T0, 1, "")


def test_a_message_not_yet_due_waits(app, smtp) -> None:
    queue(app, when=T0 + timedelta(minutes=5))
    assert send(app).claimed == 0
    assert send(app, now=T0 + timedelta(minutes=5)).claimed == 1
    assert len(smtp.messages) == 1


def test_a_message_is_sent_once_when_the_sender_runs_twice(app, smtp) -> None:
    queue(app, count=3)
    assert len(send(app).sent) == 3
    assert send(app).claimed == 0
    assert send(app, now=T0 + timedelta(days=1)).claimed == 0
    assert len(smtp.messages) == 3


def test_concurrent_senders_never_send_the_same_message(app, smtp) -> None:
    ids = queue(app, count=30)
    reports = []

    def sender() -> None:
        with app.app_context():
            for _ in range(5):
                reports.append(send_due(now=T0, batch=4))
            db.session.remove()

    threads = [threading.Thread(target=sender) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(message_id for report in reports for message_id in report.sent) == ids
    subjects = sorted(email["Subject"] for _to, email, _raw in smtp.messages)
    assert subjects == sorted(f"Message {index}" for index in range(30))


def test_the_batch_bounds_one_pass(app, smtp) -> None:
    queue(app, count=5)
    assert len(send(app, batch=2).sent) == 2
    assert len(send(app, batch=10).sent) == 3


# Failures


def test_a_refused_connection_is_retried_with_exponential_back_off(app, refusing) -> None:
    [message_id] = queue(app)
    now = T0
    for attempt, wait in enumerate((1, 2, 4, 8), start=1):
        report = send(app, now=now)
        assert report.failed == [message_id]
        [row] = outbox(app)
        assert row.attempts == attempt and row.sent_at is None
        assert "ConnectionRefusedError" in row.last_error
        assert row.next_attempt_at == now + timedelta(minutes=wait)
        assert send(app, now=now + timedelta(minutes=wait, seconds=-1)).claimed == 0  # not before its time
        now += timedelta(minutes=wait)


def test_back_off_is_capped() -> None:
    assert [backoff(n, 60).total_seconds() / 60 for n in (1, 2, 3, 4, 6, 7, 8, 20)] == [1, 2, 4, 8, 32, 60, 60, 60]


def test_the_sender_gives_up_after_the_last_attempt_and_leaves_it_visible(app, refusing) -> None:
    app.config["MAIL_MAX_ATTEMPTS"] = 3
    [message_id] = queue(app)
    now = T0
    for _ in range(2):
        assert send(app, now=now).failed == [message_id]
        now += timedelta(hours=1)
    assert send(app, now=now).gave_up == [message_id]
    assert send(app, now=now + timedelta(days=30)).claimed == 0
    [row] = outbox(app)
    assert row.sent_at is None and row.attempts == 3 and "ConnectionRefusedError" in row.last_error
    with app.app_context():
        status = outbox_status()
    assert [row["id"] for row in status["given_up"]] == [message_id] and status["waiting"] == 0


def test_a_message_that_failed_is_delivered_when_the_server_is_back(app, refusing) -> None:
    queue(app)
    assert len(send(app).failed) == 1
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        app.config["MAIL_PORT"] = controller.port
        assert len(send(app, now=T0 + timedelta(minutes=1)).sent) == 1
    finally:
        controller.stop()
    [row] = outbox(app)
    assert row.attempts == 2 and row.sent_at is not None and row.last_error == ""
    assert len(inbox.messages) == 1


# Commands


def test_outbox_send_and_a_bounded_run_loop(app, smtp) -> None:
    queue(app, count=2, when=datetime(2000, 1, 1))
    result = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert "sent 2" in result.output
    queue(app, count=3, when=datetime(2000, 1, 1))
    result = app.test_cli_runner().invoke(args=["outbox", "run", "--interval", "0", "--max-loops", "2", "--batch", "2"])
    assert result.exit_code == 0, result.output
    assert len(smtp.messages) == 5
    result = app.test_cli_runner().invoke(args=["outbox", "status"])
    assert "Sent: 5" in result.output and "Waiting: 0" in result.output


# Content


@pytest.fixture
def referral_setup(app, make):
    organisation_id = make.organisation(email="office@partner.example.org")
    partners = [make.user("partner", organisation_id=organisation_id) for _ in range(2)]
    make.user("partner", organisation_id=organisation_id, disabled_at=T0)
    officer_id = make.user("officer")
    subject_id = make.subject(first_name="Ayaan", last_name="Kowalczyk", reference="MPS-SECRET-9")
    session_id = make.session_ids(make.programme(organisation_id))[0]
    order_id = make.order(subject_id, officer_id=officer_id)
    requirement_ids = [make.requirement(order_id, session_id=session_id) for _ in range(2)]
    with app.app_context():
        emails = [db.session.get(User, user_id).email for user_id in [*partners, officer_id]]
    return {
        "partner_ids": partners,
        "partner_emails": emails[:2],
        "officer_id": officer_id,
        "officer_email": emails[2],
        "order_id": order_id,
        "requirement_ids": requirement_ids,
    }


def messages_of(app, kind: str) -> list[OutboxMessage]:
    return [row for row in outbox(app) if row.kind == kind]


def assert_no_personal_data(*texts: str) -> None:
    for text in texts:
        for secret in ("Ayaan", "Kowalczyk", "MPS-SECRET-9"):
            assert secret not in text


def create(app, setup: dict, index: int = 0) -> int:
    with app.app_context():
        requirement = db.session.get(Requirement, setup["requirement_ids"][index])
        referral = referrals.create_referral(requirement, setup["officer_id"])
        db.session.commit()
        return referral.id


def test_a_new_referral_tells_the_partner_users_and_the_organisation_by_reference(app, referral_setup) -> None:
    referral_id = create(app, referral_setup)
    sent = messages_of(app, notifications.NEW_REFERRAL)
    assert sorted(row.recipient for row in sent) == sorted(
        [*referral_setup["partner_emails"], "office@partner.example.org"]
    )
    for row in sent:
        assert row.subject == f"New referral R-{referral_id}"
        assert f"a referral (reference R-{referral_id})" in row.body
        assert f"/partner/referrals/{referral_id}" in row.body
        assert_no_personal_data(row.subject, row.body)


def test_accepting_and_declining_tell_the_officer_who_sent_it(app, referral_setup) -> None:
    accepted_id, declined_id = create(app, referral_setup, 0), create(app, referral_setup, 1)
    with app.app_context():
        partner = referral_setup["partner_ids"][0]
        referrals.accept_referral(db.session.get(Referral, accepted_id), partner, STATEMENT)
        referrals.decline_referral(db.session.get(Referral, declined_id), partner, "Ayaan Kowalczyk is too far away")
        db.session.commit()
    [accepted] = messages_of(app, notifications.REFERRAL_ACCEPTED)
    [declined] = messages_of(app, notifications.REFERRAL_DECLINED)
    assert accepted.recipient == declined.recipient == referral_setup["officer_email"]
    assert accepted.subject == f"Referral R-{accepted_id} accepted"
    assert declined.subject == f"Referral R-{declined_id} declined"
    assert f"/orders/{referral_setup['order_id']}" in declined.body
    assert_no_personal_data(accepted.body, declined.body)  # the decline reason stays in the portal


def test_nothing_is_queued_when_the_change_rolls_back(app, referral_setup) -> None:
    with app.app_context():
        requirement = db.session.get(Requirement, referral_setup["requirement_ids"][0])
        referrals.create_referral(requirement, referral_setup["officer_id"])
        db.session.rollback()
    assert outbox(app) == []


def test_the_register_overdue_notice_goes_to_partner_users_and_officer_once(app, referral_setup) -> None:
    referral_id = create(app, referral_setup)
    day = datetime(2026, 10, 6).date()
    with app.app_context():
        requirement = db.session.get(Requirement, referral_setup["requirement_ids"][0])
        first = notifications.notify_register_overdue(requirement, day)
        again = notifications.notify_register_overdue(requirement, day)
        db.session.commit()
    assert len(first) == 3 and again == []
    rows = messages_of(app, notifications.REGISTER_OVERDUE)
    assert sorted(row.recipient for row in rows) == sorted(
        [*referral_setup["partner_emails"], referral_setup["officer_email"]]
    )
    assert all("6 October 2026" in row.body for row in rows)
    assert any(f"R-{referral_id}" in row.subject for row in rows)
    assert_no_personal_data(*(row.subject + row.body for row in rows))


def test_reports_raised_and_completion_tell_the_officer(app, referral_setup) -> None:
    with app.app_context():
        reports = [
            NonComplianceReport(
                order_id=referral_setup["order_id"],
                rule_code="missed-two",
                source="rule",
                kind=kind,
                facts="Ayaan Kowalczyk missed two sessions.",
            )
            for kind in ("non-compliance", "completion")
        ]
        db.session.add_all(reports)
        db.session.flush()
        notifications.notify_non_compliance_raised(reports[0])
        notifications.notify_completion_reported(reports[1])
        db.session.commit()
        ids = [report.id for report in reports]
    [raised] = messages_of(app, notifications.NON_COMPLIANCE_RAISED)
    [completed] = messages_of(app, notifications.COMPLETION_REPORTED)
    assert raised.recipient == completed.recipient == referral_setup["officer_email"]
    assert f"N-{ids[0]}" in raised.subject and f"/reports/{ids[0]}" in raised.body
    assert f"N-{ids[1]}" in completed.subject
    assert_no_personal_data(raised.body, completed.body)


def test_the_delivered_email_holds_only_the_reference_and_the_link(app, referral_setup, smtp) -> None:
    app.config["MAIL_LINK_BASE_URL"] = "https://kcpo.example.gov.uk/"
    referral_id = create(app, referral_setup)
    send(app, now=datetime(2100, 1, 1))
    assert len(smtp.messages) == 3
    for _to, email, raw in smtp.messages:
        assert f"https://kcpo.example.gov.uk/partner/referrals/{referral_id}" in email.get_content()
        assert_no_personal_data(raw.decode())
