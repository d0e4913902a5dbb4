"""Proposing a breakthrough project in the browser: the problem picker lists the consortium's open
problems as a multi-select, and the chosen ones become the project's source problems."""
from urllib.parse import urlparse

from sqlalchemy import select

from app.extensions import db
from app.models import ProcessInstance
from tests.project_lifecycle_support import PARTNER, consortium_with_problems, project_of

from .conftest import form_fields


def test_the_proposal_form_picks_several_problems_of_the_consortium(browser, app):
    consortium, ids = consortium_with_problems()
    client = browser("applicant")
    url = urlparse(client.post("/processes/breakthrough_project/start").location).path
    html = client.get(url).get_data(as_text=True)
    assert 'name="problem_ids" multiple' in html
    for problem_id in ids:
        assert f'<option value="{problem_id}"' in html
    fields = form_fields({"consortium_id": consortium.id, "project_name": "柔轮寿命提升联合攻关", "direction": "design",
                          "participating_units": [{"name": PARTNER}], "expected_results": "寿命达到先进水平。",
                          "decision": "approve", "_action": "complete"})
    fields["problem_ids"] = [str(i) for i in ids]
    response = client.post(url, data=fields)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    case = db.session.execute(select(ProcessInstance).where(
        ProcessInstance.process_key == "breakthrough_project")).scalar_one()
    assert sorted(p.id for p in project_of(case).problems) == sorted(ids)
