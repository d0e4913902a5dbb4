"""The restricted expression evaluator used for every condition and timer text.

Expressions are evaluated by simpleeval over the task data, with a small
whitelist of functions and methods. Administrators may write the Camunda form
`${...}`; the wrapper is stripped. `check_expression` is the deploy-time gate:
it refuses anything outside the whitelist before a diagram is ever run.
"""
import ast
import copy
import operator
import re
import threading
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from functools import lru_cache
from typing import Any, cast

from simpleeval import EvalWithCompoundTypes

from .errors import N_, ExpressionError, Message
from .expression_limits import OPERATORS, Budget, LimitExceeded, budgeted, constant_problems

_WRAPPER = re.compile(r"^\s*[$#]\{(.*)\}\s*$", re.S)
_INTERPOLATION = re.compile(r"\$\{([^}]*)\}")


def _now() -> datetime:
    return datetime.now(timezone.utc)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "len": len, "str": str, "int": int, "float": float, "bool": bool,
    "min": min, "max": max, "abs": abs, "round": round, "sum": sum,
    "any": any, "all": all, "sorted": sorted, "Decimal": Decimal,
    "now": _now, "today": date.today, "days": lambda n: timedelta(days=n),
}

SAFE_METHODS = frozenset({
    "lower", "upper", "strip", "startswith", "endswith", "split", "join",
    "get", "keys", "values", "items", "count", "index", "isoformat",
})

NAMES = {"true": True, "false": False, "null": None, "True": True, "False": False, "None": None}


def unwrap(expression: str | None) -> str:
    """Strip a Camunda-style `${...}` wrapper, if any."""
    match = _WRAPPER.match(expression or "")
    return match.group(1).strip() if match else (expression or "").strip()


# JUEL (Camunda's expression language) operators an administrator may bring along, and ours
_JUEL_NOT = re.compile(r"!(?!=)\s*([A-Za-z_][\w.]*|\()?")
_JUEL = ((re.compile(r"&&"), "&&", "and"), (re.compile(r"\|\|"), "||", "or"),
         (re.compile(r"\beq\b"), "eq", "=="), (re.compile(r"\bne\b"), "ne", "!="),
         (re.compile(r"\bgt\b"), "gt", ">"), (re.compile(r"\bge\b"), "ge", ">="),
         (re.compile(r"\blt\b"), "lt", "<"), (re.compile(r"\ble\b"), "le", "<="),
         (re.compile(r"\bempty\s+\w"), "empty x", "not x"))


def juel_hints(text: str) -> list[Message]:
    """"'not x' for '!x'" and the like, for each JUEL operator in a text that is no Python.
    Texts in quotes are left out: '!' inside a string is not an operator."""
    code = re.sub(r"'[^']*'|\"[^\"]*\"", "''", text)
    pairs = []
    negated = _JUEL_NOT.search(code)
    if negated:
        operand = negated.group(1) if negated.group(1) and negated.group(1) != "(" else "x"
        pairs.append((f"not {operand}", f"!{operand}"))
    pairs += [(ours, theirs) for pattern, theirs, ours in _JUEL if pattern.search(code)]
    return [Message(N_("'%(ours)s' for '%(theirs)s'"), ours=ours, theirs=theirs) for ours, theirs in pairs]


def check_expression(expression: str | None) -> list[str]:
    """Return a list of reasons the expression is refused (empty when it is allowed), in English."""
    return [str(problem) for problem in expression_problems(expression)]


def expression_problems(expression: str | None) -> list[Message]:
    """The reasons the expression is refused, as message templates (see errors.Message)."""
    text = unwrap(expression)
    if not text:
        return [Message(N_("the expression is empty"))]
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        hints = juel_hints(text)
        if hints:
            return [Message(N_("syntax error in '%(text)s': %(reason)s; conditions are written as in Python, "
                               "not in JUEL: %(hints)s"), text=text, reason=exc.msg, hints=hints)]
        return [Message(N_("syntax error in '%(text)s': %(reason)s"), text=text, reason=exc.msg)]
    problems: list[Message] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id.startswith("_"):
            problems.append(Message(N_("name '%(name)s' is not allowed"), name=node.id))
        elif isinstance(node, ast.Attribute):
            if node.attr.startswith("_"):
                problems.append(Message(N_("attribute '%(name)s' is not allowed"), name=node.attr))
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name):
                if func.id not in FUNCTIONS:
                    problems.append(Message(N_("function '%(name)s' is not allowed"), name=func.id))
            elif isinstance(func, ast.Attribute):
                if func.attr not in SAFE_METHODS:
                    problems.append(Message(N_("method '%(name)s' is not allowed"), name=func.attr))
            else:
                problems.append(Message(N_("only named functions may be called")))
        elif isinstance(node, (ast.Lambda, ast.NamedExpr, ast.Await, ast.Yield, ast.YieldFrom)):
            problems.append(Message(N_("'%(name)s' is not allowed"), name=type(node).__name__))
    return problems or constant_problems(tree)


@lru_cache(maxsize=4096)
def _parsed(text: str) -> tuple[ast.expr | None, str | None]:
    """(parsed tree, None) for an allowed expression, or (None, reasons). Each text is checked and
    parsed once per process: the same few conditions and templates are evaluated again and again."""
    problems = check_expression(text)
    if problems:
        return None, "; ".join(problems)
    try:
        return ast.parse(text.strip(), mode="eval").body, None
    except SyntaxError as exc:       # e.g. a doubly wrapped `${${x}}`: the check saw the inner text
        return None, f"syntax error in '{text}': {exc.msg}"


_evaluators = threading.local()


def _evaluator() -> tuple[EvalWithCompoundTypes, Budget]:
    # Building an evaluator costs more than most evaluations, so each thread keeps one and
    # only its names change per call. Its own copy of FUNCTIONS: EvalWithCompoundTypes adds
    # list/tuple/dict/set to the dict it is given, which must not widen the deploy-time whitelist.
    current = getattr(_evaluators, "current", None)
    if current is None:
        evaluator = EvalWithCompoundTypes(operators=OPERATORS, names={}, functions=dict(FUNCTIONS))
        current = _evaluators.current = (evaluator, budgeted(evaluator))
    return current


def _too_costly(text: str, exc: LimitExceeded) -> ExpressionError:
    return ExpressionError(f"'{text}' is too large to compute: {exc}")


def evaluate(expression: str | None, context: Mapping[str, Any] | None) -> Any:
    """Evaluate an expression over `context` (a mapping of task data)."""
    text = unwrap(expression)
    tree, problems = _parsed(text)
    if problems:
        raise ExpressionError(problems)
    names = dict(NAMES)
    names.update(context or {})
    evaluator, budget = _evaluator()
    evaluator.names = names
    budget.start()
    try:
        return evaluator.eval(text, previously_parsed=tree)
    except LimitExceeded as exc:
        _evaluators.current = None
        raise _too_costly(text, exc) from None
    except Exception as exc:  # simpleeval raises many kinds; report them uniformly
        _evaluators.current = None    # a failure inside a comprehension may leave it half patched
        raise ExpressionError(f"'{text}' failed: {type(exc).__name__}: {exc}") from None
    finally:
        evaluator.names = {}          # no case data outlives the call


class _DecimalLiterals(ast.NodeTransformer):
    """Number literals with a fraction become Decimal: `0.1 + 0.2` is then exactly `0.3`.
    Integer literals stay int so that indexes and `round(x, 2)` keep working."""

    def visit_Constant(self, node: ast.Constant) -> ast.Constant:
        if isinstance(node.value, float):
            return ast.copy_location(ast.Constant(cast(Any, Decimal(repr(node.value)))), node)
        return node


@lru_cache(maxsize=4096)
def _parsed_exact(text: str) -> tuple[ast.expr | None, str | None]:
    tree, problems = _parsed(text)
    if tree is None:
        return None, problems
    exact: ast.expr = _DecimalLiterals().visit(copy.deepcopy(tree))   # the cached tree is shared
    return exact, None


def _exact_div(left: Any, right: Any) -> Any:
    # int / int is a float in Python; in exact arithmetic it is a Decimal.
    if isinstance(left, int) and isinstance(right, int) and not isinstance(left, bool) \
            and not isinstance(right, bool):
        return Decimal(left) / Decimal(right)
    return operator.truediv(left, right)


def exact_number(value: Any) -> Any:
    """A float as the Decimal of its shortest repr (0.1 -> Decimal('0.1')); lists and dicts
    converted item by item; everything else unchanged."""
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, list):
        return [exact_number(v) for v in value]
    if isinstance(value, dict):
        return {k: exact_number(v) for k, v in value.items()}
    return value


def _exact_evaluator() -> tuple[EvalWithCompoundTypes, Budget]:
    current = getattr(_evaluators, "exact", None)
    if current is None:
        operators = {**OPERATORS, ast.Div: _exact_div}
        evaluator = EvalWithCompoundTypes(operators=operators, names={}, functions=dict(FUNCTIONS))
        current = _evaluators.exact = (evaluator, budgeted(evaluator))
    return current


def evaluate_exact(expression: str | None, context: Mapping[str, Any] | None) -> Any:
    """Evaluate like `evaluate`, but in exact decimal arithmetic (decision tables): number
    literals with a fraction and float values in `context` become Decimal, int / int is a
    Decimal, and a float result is returned as a Decimal. Same whitelist, same checks."""
    text = unwrap(expression)
    tree, problems = _parsed_exact(text)
    if problems:
        raise ExpressionError(problems)
    names = dict(NAMES)
    names.update(exact_number(dict(context or {})))
    evaluator, budget = _exact_evaluator()
    evaluator.names = names
    budget.start()
    try:
        return exact_number(evaluator.eval(text, previously_parsed=tree))
    except LimitExceeded as exc:
        _evaluators.exact = None
        raise _too_costly(text, exc) from None
    except Exception as exc:  # simpleeval raises many kinds; report them uniformly
        _evaluators.exact = None
        raise ExpressionError(f"'{text}' failed: {type(exc).__name__}: {exc}") from None
    finally:
        evaluator.names = {}


def interpolate(template: str | None, context: Mapping[str, Any] | None) -> str:
    """Replace each `${expr}` in a text (e.g. a candidate-group template) with its value."""
    return _INTERPOLATION.sub(lambda m: str(evaluate(m.group(1), context)), template or "")


def expressions_in(template: str | None) -> list[str]:
    """The `${...}` expressions inside a template text, for deploy-time checks."""
    return _INTERPOLATION.findall(template or "")
