"""A number typed into a page's form becomes a number only when it is one: "inf" or "nan" stay text,
so the form check names the field and nothing non-finite reaches a draft, the case data or JSON."""
import json

import pytest
from werkzeug.datastructures import MultiDict

from app.services.errors import ValidationFailed
from app.services.workflow import forms
from app.web.formdata import parse_form

SCHEMA = {"type": "object", "properties": {"rate": {"type": "number"}, "count": {"type": "integer"}}}


@pytest.mark.parametrize("typed", ["inf", "-Infinity", "nan", "1e999"])
def test_a_non_finite_number_stays_text_and_is_refused_naming_the_field(typed):
    data = parse_form(SCHEMA, MultiDict({"rate": typed, "count": "3"}))
    assert data == {"rate": typed, "count": 3}
    json.dumps(data, allow_nan=False)                     # a draft of it is valid JSON
    with pytest.raises(ValidationFailed) as refused:
        forms.validate(SCHEMA, data)
    assert list(refused.value.errors) == ["rate"]


def test_finite_numbers_are_numbers():
    assert parse_form(SCHEMA, MultiDict({"rate": "2.5", "count": "-4"})) == {"rate": 2.5, "count": -4}


def test_a_multi_select_gives_each_chosen_value_typed():
    schema = {"properties": {"problem_ids": {"type": "array", "items": {"type": "integer"}, "x-widget": "source_problems"}}}
    assert parse_form(schema, MultiDict([("problem_ids", "3"), ("problem_ids", "7")])) == {"problem_ids": [3, 7]}
    assert parse_form(schema, MultiDict({})) == {}
