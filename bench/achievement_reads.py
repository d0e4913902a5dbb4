#!/usr/bin/env python
"""Achievement library reads: what a reader of the catalogue waits for, with the one access rule.

Set-up (SQLite file by default; --postgres URL of a database whose name contains 'bench'): the
demo accounts, consortia and problems, then N achievements (default 2,000; --quick 300) registered
and published through the library's commands, cycling the four share levels over the first two
demo consortia (applicant3's unit is a member of neither), and for the requester `expert1` 50 directed grants in force and 50 licences in force
(plus as many expired ones for `expert2`).

Measured (the app in-process through Flask's test client, so the figure is the app's own time per
request, logged in as each role, after 5 untimed warm-up requests), R requests each (default 200):
    public      GET /achievements/public               anonymous: the simplest condition (the baseline)
    catalogue   GET /achievements                      the full rule (cards included)
    search      GET /achievements?q=<a summary word>   name everywhere, summary only where readable
    api         GET /api/v1/achievements               the same list as JSON
    detail      GET /achievements/<id>                 one record (a readable one, or a card)
for the roles: a member of a consortium (applicant3), the requester with grants and licences
(expert1), the managing body (manager); and, as the floor of a logged-in list page in the same
run, GET /problems as the member.

Progress on stderr, ONE JSON object as the last stdout line: p50/p95 ms per (role, call), and the
ratio of each role's catalogue p50 to the anonymous public page's. Figures only, no budget.

    .venv/bin/python bench/achievement_reads.py [--quick] [--achievements N] [--requests R] [--postgres URL]
"""
import argparse
import json
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _setup import (  # noqa: E402
    Workdir,
    check_postgres_url,
    drop_postgres_database,
    log,
    machine,
    make_app,
    reset_database,
    sqlite_url,
    user,
)
from sqlalchemy import insert  # noqa: E402

from app.extensions import db  # noqa: E402
from app.models import AccessGrant, LicenceAgreement  # noqa: E402
from app.models.identity import utcnow  # noqa: E402
from app.models.states import GrantStatus, LicenceStatus, ShareCondition, ShareLevel  # noqa: E402
from app.services import demo  # noqa: E402
from app.services.command import command  # noqa: E402
from app.services.registries.achievements import admission  # noqa: E402
from app.services.registries.consortium import consortia_of  # noqa: E402

PASSWORD = demo.DEMO_PASSWORD
WORD = "基准词"
ROLES = ("applicant3", "expert1", "manager")    # outsider, requester with grants and licences, overseer


def _data(consortium, contributor, i, level):
    conditions = ShareCondition.PAID if level == ShareLevel.PAID else ShareCondition.FREE
    return {"consortium_id": consortium.id, "name": f"成果{i:05d}", "contributor_name": consortium.lead_unit_name,
            "kind": "solution", "summary": f"第{i}号成果简介{WORD if i % 10 == 0 else ''}。",
            "share_level": level, "share_conditions": conditions, "contact_name": "陈工",
            "contact_phone": "13800138000", "commitment": True, "contributor_user": contributor}


def seed(count):
    demo.seed_cases()
    demo.seed_problems()
    # (consortium, a user of its lead unit): the contributors of the demo's first two consortia
    teams = [(consortia_of(db.session, user(name))[0], name) for name in ("applicant", "applicant2")]
    ids = {level: [] for level in ShareLevel.ALL}
    for i in range(count):
        level = ShareLevel.ALL[i % 4]
        consortium, contributor = teams[i % len(teams)]
        with command(None) as ctx:
            achievement = admission.register_achievement(ctx, None, _data(consortium, contributor, i, level))
            admission.publish(ctx, achievement.id, level, achievement.share_conditions, "", "")
            ids[level].append(achievement.id)
        if i % 500 == 499:
            log(f"{i + 1} achievements")
    now, today = utcnow(), date.today()
    for username, valid in (("expert1", True), ("expert2", False)):
        requester = user(username)
        until = now + timedelta(days=30) if valid else now - timedelta(days=1)
        db.session.execute(insert(AccessGrant), [
            {"achievement_id": i, "requester_id": requester.id, "status": GrantStatus.GRANTED if valid
             else GrantStatus.EXPIRED, "valid_from": now - timedelta(days=60), "valid_until": until, "purpose": "",
             "requested_at": now, "version": 1} for i in ids[ShareLevel.DIRECTED][:50]])
        db.session.execute(insert(LicenceAgreement), [
            {"number": f"L-{username}-{i}", "achievement_id": i, "licensor_name": "x", "licensee_name": "y",
             "applicant_id": requester.id, "licence_type": "ordinary", "territory": "广州市", "field_of_use": "z",
             "term_from": today - timedelta(days=60), "term_to": until.date(), "created_at": now, "version": 1,
             "status": LicenceStatus.IN_FORCE if valid else LicenceStatus.EXPIRED, "fee_amount": 0,
             "payment_schedule": "", "duties": "", "liability": "", "dispute_resolution": "", "text_sha256": "",
             "licensee_credit_code": ""} for i in ids[ShareLevel.PAID][:50]])
    db.session.commit()
    return ids


def timed(client, path, requests):
    for _ in range(5):
        assert client.get(path).status_code == 200, path
    samples = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, path
    samples.sort()
    return {"p50_ms": round(statistics.median(samples), 2), "p95_ms": round(samples[int(len(samples) * 0.95) - 1], 2)}


def measure(app, ids, requests):
    found = {}
    with app.test_client() as client:
        found["anonymous"] = {"public": timed(client, "/achievements/public", requests)}
    for role in ROLES:
        with app.test_client() as client:
            assert client.post("/login", data={"username": role, "password": PASSWORD}).status_code == 302
            detail = ids[ShareLevel.DIRECTED][0]
            found[role] = {name: timed(client, path, requests) for name, path in (
                ("catalogue", "/achievements"), ("search", f"/achievements?q={WORD}"),
                ("api", "/api/v1/achievements"), ("detail", f"/achievements/{detail}"))}
            if role == "applicant3":
                found[role]["problems_floor"] = timed(client, "/problems", requests)
        log(f"measured {role}")
    return found


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--achievements", type=int)
    parser.add_argument("--requests", type=int)
    parser.add_argument("--postgres")
    args = parser.parse_args()
    count = args.achievements or (300 if args.quick else 2000)
    requests = args.requests or (50 if args.quick else 200)
    with Workdir() as workdir:
        url = check_postgres_url(args.postgres) if args.postgres else sqlite_url(workdir / "bench.db")
        app = make_app(url, workdir)
        with app.app_context():
            reset_database()
            log(f"seeding {count} achievements")
            ids = seed(count)
            db.session.remove()
        found = measure(app, ids, requests)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if args.postgres:
            drop_postgres_database(args.postgres)
    public = found["anonymous"]["public"]["p50_ms"]
    print(json.dumps({"bench": "achievement_reads", "database": "postgresql" if args.postgres else "sqlite",
                      "achievements": count, "requests": requests, "machine": machine(), "figures": found,
                      "catalogue_vs_public_p50": {role: round(found[role]["catalogue"]["p50_ms"] / public, 2)
                                                  for role in ROLES}}, ensure_ascii=False))


if __name__ == "__main__":
    main()
