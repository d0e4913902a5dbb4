"""Who reads what in the achievement library: 4 share levels × 6 roles × every read path
(issue 13). The levels are achievements of consortium A admitted through the real process, each
with a proof file; the roles are
- anonymous;
- a member of the same consortium (applicant3, whose unit is a member unit of A);
- a member of another consortium (applicant2, lead unit of B);
- a requester with a grant in force (expert1: a directed grant, and a licence in force for the paid one);
- a requester whose grant has expired (expert2: both ended yesterday);
- the managing body, the city office and an auditor.
Read paths: the catalogue page (the public page for anonymous visitors), the detail page, the proof
download (through the achievement and through the generic attachment address), the API list and
detail, the search on a word of the summary, the Excel export; the audit exports (CSV, XES, OCEL)
for the roles that may export.
"""
import json
from datetime import date, datetime, timedelta, timezone
from io import BytesIO

import pytest
from openpyxl import load_workbook

from app.extensions import db
from app.models import AccessGrant, Achievement, LicenceAgreement, ProcessInstance
from app.models.states import GrantStatus, LicenceStatus, ShareLevel
from app.services import demo
from app.services.command import command
from app.services.registries.achievements import admission
from tests.achievement_support import admitted
from tests.problem_support import A, B, make_consortium, user

SUMMARY_WORD = "独门绝技{level}"
READERS = {   # role -> the levels it reads
    None: {ShareLevel.PUBLIC},
    "applicant3": {ShareLevel.PUBLIC, ShareLevel.CONSORTIUM},
    "applicant2": {ShareLevel.PUBLIC},
    "expert1": {ShareLevel.PUBLIC, ShareLevel.DIRECTED, ShareLevel.PAID},
    "expert2": {ShareLevel.PUBLIC},
    "manager": set(ShareLevel.ALL), "city": set(ShareLevel.ALL), "auditor": set(ShareLevel.ALL),
}
CARDS = {ShareLevel.DIRECTED, ShareLevel.PAID}      # listed for every logged-in user, to ask for them


def _world():
    third = demo.UNITS[2][1]
    a = make_consortium(A, members=[(third, demo.credit_code_for(third))])
    make_consortium(B)
    made = {}
    for level in ShareLevel.ALL:
        name = f"成果{level}柔轮工艺"
        made[level] = (*admitted(a, level, name=name, summary=f"柔轮热处理{SUMMARY_WORD.format(level=level)}，寿命翻倍。"),
                       name)
    now = datetime.now(timezone.utc)
    directed, paid = made[ShareLevel.DIRECTED][0], made[ShareLevel.PAID][0]
    for username, until in (("expert1", now + timedelta(days=30)), ("expert2", now - timedelta(days=1))):
        requester = user(username)
        expired = until < now
        db.session.add(AccessGrant(achievement_id=directed, requester_id=requester.id, purpose="研发参考",
                                   status=GrantStatus.EXPIRED if expired else GrantStatus.GRANTED,
                                   valid_from=now - timedelta(days=60), valid_until=until))
        db.session.add(LicenceAgreement(
            number=f"L-{username}", achievement_id=paid, licensor_name="广州智能装备集团有限公司",
            licensee_name=requester.display_name, applicant_id=requester.id, licence_type="ordinary",
            territory="广州市", field_of_use="工业机器人", term_from=date.today() - timedelta(days=60),
            term_to=until.date() if not expired else date.today() - timedelta(days=1),
            status=LicenceStatus.EXPIRED if expired else LicenceStatus.IN_FORCE))
    db.session.commit()
    return made


ROLES = list(READERS)


@pytest.mark.parametrize("role", ROLES, ids=[r or "anonymous" for r in ROLES])
def test_every_read_path_follows_the_share_level(app, client, login, role):
    made = _world()
    if role:
        login(client, role)
    readable = READERS[role]
    catalogue = client.get("/achievements" if role else "/achievements/public").get_data(as_text=True)
    api_list = {item["name"] for item in client.get("/api/v1/achievements?per_page=100").get_json()["items"]}
    workbook = client.get("/achievements/export.xlsx")
    exported = {cell for row in load_workbook(BytesIO(workbook.data)).active.iter_rows(values_only=True)
                for cell in row} if role else set()
    for level, (achievement_id, token, name) in made.items():
        reads = level in readable
        listed = reads or (role is not None and level in CARDS)
        word = SUMMARY_WORD.format(level=level)
        where = f"{role} / {level}"
        assert (name in catalogue) == listed, where
        assert (name in api_list) == listed, where
        page = client.get(f"/achievements/{achievement_id}")
        assert page.status_code == (200 if listed else 302 if role is None else 404), where
        assert (word in page.get_data(as_text=True)) == reads, where
        api = client.get(f"/api/v1/achievements/{achievement_id}")
        assert api.status_code == (200 if listed else 404), where
        assert ("summary" in (api.get_json() or {})) == reads, where
        proof = client.get(f"/achievements/{achievement_id}/files/{token}")
        assert proof.status_code == (200 if reads else 404), where
        # the case's own address follows the case: its participants and the global readers
        generic = client.get(f"/attachments/{token}")
        assert (generic.status_code == 200) == (role in ("city", "auditor", "manager")), where
        found = client.get("/achievements", query_string={"q": word}) if role else \
            client.get("/achievements/public", query_string={"q": word})
        assert (name in found.get_data(as_text=True)) == reads, where
        if role:
            assert (name in exported) == reads, where


@pytest.mark.parametrize("role", ["auditor", "admin"])
def test_audit_exports_carry_achievement_objects_and_leave_out_what_the_exporter_may_not_read(
        app, client, login, role):
    made = _world()
    delisted_id = made[ShareLevel.CONSORTIUM][0]
    with command(None) as ctx:
        admission.delist(ctx, delisted_id, "权利终止")
    login(client, role)
    ocel = json.loads(client.get("/audit/export.ocel").data)
    objects = {o["id"]: o for o in ocel["objects"] if o["type"] == "achievement"}
    names = {next(a["value"] for a in o["attributes"] if a["name"] == "name") for o in objects.values()}
    delisted_name = made[ShareLevel.CONSORTIUM][2]
    assert {made[level][2] for level in ShareLevel.ALL if level != ShareLevel.CONSORTIUM} <= names
    assert (delisted_name in names) == (role == "auditor")
    assert any(r["qualifier"] == "achievement" for e in ocel["events"] for r in e["relationships"])
    csv_text = client.get("/audit/export.csv").get_data(as_text=True)
    xes_text = client.get("/audit/export.xes").get_data(as_text=True)
    delisted_case = db.session.get(ProcessInstance, db.session.get(Achievement, delisted_id).instance_id).business_key
    assert (delisted_case in csv_text) == (role == "auditor")
    assert (delisted_case in xes_text) == (role == "auditor")


@pytest.mark.parametrize("role", ["applicant2", "manager", "city"])
def test_only_auditors_and_administrators_export_audit_trails(app, client, login, role):
    _world()
    login(client, role)
    assert client.get("/audit/export.ocel").status_code == 403
