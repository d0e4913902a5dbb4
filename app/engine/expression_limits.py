"""Bounds on what one expression may cost, so that no condition blocks a worker.

simpleeval's own guards stop `9**9**9` but let `1000000**1000000` through (both sides are under
its MAX_POWER), and computing that takes seconds. So the evaluator gets operators that refuse, before
computing, any integer longer than MAX_INT_BITS and any string or list longer than MAX_LENGTH (also
from `sep.join(items)`); and
each evaluation runs under a budget of steps and seconds (`Budget`), counted by wrapping the
handlers in the evaluator's public `nodes` table, for the slow things that are long chains of cheap
steps. A refusal is LimitExceeded, which the evaluator reports as an ExpressionError, and which the
deploy check reports for the constant parts of an expression (`constant_problems`).
"""
import ast
import operator
import time
from collections.abc import Callable
from typing import Any

from simpleeval import DEFAULT_OPERATORS, EvalWithCompoundTypes

from .errors import N_, Message

MAX_INT_BITS = 4096          # about 1,200 digits: no condition, timer or rule needs more
MAX_LENGTH = 100_000         # characters of a string, items of a list (simpleeval's MAX_STRING_LENGTH)
MAX_STEPS = 100_000          # expression nodes evaluated in one evaluation
MAX_SECONDS = 0.25           # wall-clock time of one evaluation


class LimitExceeded(ArithmeticError):
    """An expression would cost more than the bounds allow; `problem` says which (a Message)."""

    def __init__(self, template: str, **params: object) -> None:
        self.problem = Message(template, **params)
        super().__init__(str(self.problem))


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_int(bits: int) -> None:
    if bits > MAX_INT_BITS:
        raise LimitExceeded(N_("the result would be a number of about %(digits)s digits (the limit is %(limit)s)"),
                            digits=int(bits * 0.30103), limit=int(MAX_INT_BITS * 0.30103))


def _check_length(length: int) -> None:
    if length > MAX_LENGTH:
        raise LimitExceeded(N_("the result would be %(length)s long (the limit is %(limit)s)"),
                            length=length, limit=MAX_LENGTH)


def bounded_pow(left: Any, right: Any) -> Any:
    if _is_int(left) and _is_int(right) and right > 0 and abs(left) > 1:
        _check_int(right * abs(left).bit_length())
    return operator.pow(left, right)


def bounded_mult(left: Any, right: Any) -> Any:
    if _is_int(left) and _is_int(right):
        _check_int(left.bit_length() + right.bit_length())
    for sequence, times in ((left, right), (right, left)):
        if isinstance(sequence, (str, bytes, list, tuple)) and _is_int(times):
            _check_length(len(sequence) * max(times, 0))
    return operator.mul(left, right)


def bounded_add(left: Any, right: Any) -> Any:
    if isinstance(left, (str, bytes, list, tuple)) and isinstance(right, (str, bytes, list, tuple)):
        _check_length(len(left) + len(right))
    return operator.add(left, right)


def bounded_lshift(left: Any, right: Any) -> Any:
    if _is_int(left) and _is_int(right) and right > 0:
        _check_int(left.bit_length() + right)
    return operator.lshift(left, right)


def bounded_join(separator: str | bytes) -> Callable[[Any], Any]:
    """`separator.join`, refused before it builds a result longer than MAX_LENGTH."""
    def join(items: Any) -> Any:
        items = list(items)
        _check_length(sum(len(item) for item in items if isinstance(item, (str, bytes)))
                      + len(separator) * max(len(items) - 1, 0))
        return separator.join(items)
    return join


OPERATORS: dict[type, Callable[..., Any]] = {**DEFAULT_OPERATORS, ast.Pow: bounded_pow, ast.Mult: bounded_mult,
                                             ast.Add: bounded_add, ast.LShift: bounded_lshift}


class Budget:
    """Steps and time one evaluation may take; `start()` before each evaluation."""

    def __init__(self) -> None:
        self.steps = 0
        self.deadline = 0.0

    def start(self) -> None:
        self.steps = 0
        self.deadline = time.monotonic() + MAX_SECONDS

    def spend(self) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise LimitExceeded(N_("it takes more than %(limit)s steps"), limit=MAX_STEPS)
        if time.monotonic() > self.deadline:
            raise LimitExceeded(N_("it takes longer than %(limit)s seconds"), limit=MAX_SECONDS)


def budgeted(evaluator: EvalWithCompoundTypes) -> Budget:
    """Make every node the evaluator evaluates spend from a budget (returned; start it per call), and
    make `sep.join(items)` refuse a result over MAX_LENGTH before building it (the one whitelisted
    method whose result can be far longer than its inputs' sum of bounded parts).

    The `nodes` table maps each syntax node type to its handler; wrapping the handlers counts the
    work without touching the library's internals (a comprehension swaps the Name handler for its
    own while it runs, and puts ours back)."""
    budget = Budget()

    def counted(handler: Callable[[ast.AST], Any]) -> Callable[[ast.AST], Any]:
        def run(node: ast.AST) -> Any:
            budget.spend()
            return handler(node)
        return run

    def joins_bounded(handler: Callable[[ast.AST], Any]) -> Callable[[ast.AST], Any]:
        def run(node: ast.AST) -> Any:
            found = handler(node)
            owner = getattr(found, "__self__", None)          # the string a bound method belongs to
            if getattr(node, "attr", None) == "join" and isinstance(owner, (str, bytes)):
                return bounded_join(owner)
            return found
        return run

    nodes = {kind: counted(handler) for kind, handler in evaluator.nodes.items()}
    if ast.Attribute in nodes:
        nodes[ast.Attribute] = joins_bounded(nodes[ast.Attribute])
    evaluator.nodes = nodes
    return budget


_CONSTANT_NODES = (ast.Constant, ast.BinOp, ast.UnaryOp, ast.operator, ast.unaryop, ast.Tuple, ast.List,
                   ast.expr_context)


def _is_constant(node: ast.AST) -> bool:
    return all(isinstance(each, _CONSTANT_NODES) for each in ast.walk(node))


def constant_problems(tree: ast.AST) -> list[Message]:
    """Why the constant arithmetic in an expression (`1000000**1000000`, `'x' * 10**9`) cannot be
    computed within the bounds: found at deploy, not when a case reaches it."""
    evaluator = EvalWithCompoundTypes(operators=OPERATORS, names={}, functions={})
    budget = budgeted(evaluator)
    problems: list[Message] = []
    done: set[int] = set()
    for node in ast.walk(tree):
        if id(node) in done or not isinstance(node, ast.BinOp) or not _is_constant(node):
            continue
        done.update(id(inner) for inner in ast.walk(node))
        budget.start()
        try:
            evaluator.eval("", previously_parsed=node)
        except LimitExceeded as exc:
            problems.append(Message(N_("'%(text)s' is too large to compute: %(reason)s"),
                                    text=ast.unparse(node), reason=exc.problem))
        except Exception:  # noqa: BLE001,S110 -- 1/0 and the like: the case meets it, if it ever gets there
            pass
    return problems
