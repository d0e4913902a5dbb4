"""Which steps of a diagram come before which, along its forward flow.

"Return to an earlier step" (退回到指定环节) must only go back: to a step the
case passes before the current one on its way from the start. The history of a
case is not enough to say which those are — after a return for revision, the
applicant's step has the reviewers' steps in its past, yet they lie ahead of it.
So the order comes from the diagram: its sequence flows, with the flows that
close a loop (a return path back to an earlier step) set aside, form a graph
without cycles, and a step is before another if a path leads from it to the other.

A flow closes a loop if it leads back to a node still being walked in a
depth-first walk from the start events. Boundary events follow the activity
they are attached to; a sub-process leads to its start events, and its end
events lead on to where the sub-process goes next.
"""
from collections import defaultdict
from collections.abc import Iterator

from lxml import etree

from .steps import NSMAP

_BPMN = "{" + NSMAP["bpmn"] + "}"


def _edges(process: etree._Element) -> tuple[defaultdict[str | None, list[str | None]], list[str | None]]:
    """node id -> ids it leads to, and the start events of the top level."""
    edges: defaultdict[str | None, list[str | None]] = defaultdict(list)
    for flow in process.iter(_BPMN + "sequenceFlow"):
        edges[flow.get("sourceRef")].append(flow.get("targetRef"))
    for boundary in process.iter(_BPMN + "boundaryEvent"):
        edges[boundary.get("attachedToRef")].append(boundary.get("id"))
    for sub in list(process.iter(_BPMN + "subProcess")) + list(process.iter(_BPMN + "transaction")):
        after = list(edges.get(sub.get("id"), ()))
        for child in sub:
            tag = child.tag
            if tag == _BPMN + "startEvent":
                edges[sub.get("id")].append(child.get("id"))
            elif tag == _BPMN + "endEvent":
                edges[child.get("id")].extend(after)
    starts = [el.get("id") for el in process.findall(_BPMN + "startEvent")]
    return edges, starts


def predecessors(process: etree._Element) -> dict[str | None, frozenset[str | None]]:
    """element id -> frozenset of the element ids before it on the forward flow (loops set aside)."""
    edges, starts = _edges(process)
    forward: defaultdict[str | None, list[str | None]] = defaultdict(list)
    state: dict[str | None, str] = {}                          # node -> "open" while being walked, "done" after
    finished: list[str | None] = []                       # nodes in the order their walk ended
    for start in starts:
        if start in state:
            continue
        state[start] = "open"
        stack: list[tuple[str | None, Iterator[str | None]]] = [(start, iter(edges.get(start, ())))]
        while stack:                    # iterative: a long diagram must not hit the recursion limit
            node, targets = stack[-1]
            target = next(targets, None)
            if target is None:
                state[node] = "done"
                finished.append(node)
                stack.pop()
                continue
            if state.get(target) == "open":
                continue                # closes a loop: a way back, not forward
            forward[node].append(target)
            if target not in state:
                state[target] = "open"
                stack.append((target, iter(edges.get(target, ()))))
    reverse: defaultdict[str | None, list[str | None]] = defaultdict(list)
    for source, followers in forward.items():
        for target in followers:
            reverse[target].append(source)
    before: dict[str | None, frozenset[str | None]] = {}
    for node in reversed(finished):     # reversed finishing order: every node after those leading to it
        found: set[str | None] = set()
        for source in reverse.get(node, ()):
            found.add(source)
            found |= before[source]
        before[node] = frozenset(found)
    return before
