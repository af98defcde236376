"""The assessment tree: weights and points through nested dimensions, heading-only dimensions
spliced into their parent, and each item's maximum."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .. import ast
from ..errors import ScoringError

ROOT = "@policy"


@dataclass
class TreeNode:
    id: str
    label: str | None
    node: ast.Indicator | ast.Dimension | None   # None for the policy itself
    mode: str | None                             # "weight" | "points" | None (no share given)
    share: Decimal | None                        # the weight (a fraction) or the points
    maximum: Decimal
    children: list["TreeNode"] = field(default_factory=list)
    parent: "TreeNode | None" = None
    path: str = ""                               # dotted ids through real dimensions: process.on_time

    @property
    def is_indicator(self) -> bool:
        return isinstance(self.node, ast.Indicator)

    def indicators(self):
        if self.is_indicator:
            yield self
        for child in self.children:
            yield from child.indicators()

    def internal(self):
        """Dimensions (and the root) deepest first, so scores can be built bottom-up."""
        for child in self.children:
            yield from child.internal()
        if not self.is_indicator:
            yield self

    @property
    def child_mode(self) -> str:
        modes = {c.mode for c in self.children if c.mode}
        if len(modes) > 1:
            raise ScoringError(f"the items under {self.id} mix weight and points")
        return modes.pop() if modes else "weight"


def _share(node) -> tuple[str | None, Decimal | None]:
    if node.share is None:
        return None, None
    value = node.share.value
    if not isinstance(value, ast.Literal) or value.value is None:
        raise ScoringError(f"line {node.share.span.line}: a weight or points must be a number")
    return ("weight" if isinstance(node.share, ast.Weight) else "points"), value.value


def build_tree(policy: ast.Policy, scale: Decimal) -> TreeNode:
    root = TreeNode(ROOT, policy.label, None, None, None, scale)
    for item in policy.tree:
        _attach(root, item, "")
    for parent in root.internal():
        _settle(parent)
    return root


def _attach(parent: TreeNode, item, prefix: str) -> None:
    mode, share = _share(item)
    path = f"{prefix}{item.id.name}"
    if isinstance(item, ast.Dimension) and mode is None:
        for child in item.items:        # a heading only: its children belong to the parent
            _attach(parent, child, f"{path}.")
        return
    node = TreeNode(item.id.name, item.label, item, mode, share, Decimal(100), parent=parent, path=path)
    if mode == "points":
        node.maximum = share
    parent.children.append(node)
    if isinstance(item, ast.Dimension):
        for child in item.items:
            _attach(node, child, f"{path}.")


def _settle(parent: TreeNode) -> None:
    """Children without a share split the parent evenly; a points dimension without its own
    points is worth the sum of its children's points."""
    unshared = [c for c in parent.children if c.mode is None]
    if unshared and len(unshared) == len(parent.children):
        for child in unshared:
            child.mode, child.share = "weight", Decimal(1) / len(unshared)
    if (parent.node is not None and parent.mode != "points" and parent.children
            and parent.child_mode == "points"):
        parent.maximum = sum(c.maximum for c in parent.children)


def variant_row(root: TreeNode, node: TreeNode, active: list[ast.Variant]):
    """(variant, row) of the `weight`/`points` row that sets `node`'s share while the `active`
    variants apply (the last one wins), or None when the node keeps its own."""
    found = None
    for variant in active:
        for row in variant.rows:
            if isinstance(row, (ast.VariantWeight, ast.VariantPoints)) and find(root, str(row.path)) is node:
                found = (variant, row)
    return found


def find(root: TreeNode, path: str) -> TreeNode | None:
    for node in _all(root):
        if node.path == path or node.id == path:
            return node
    return None


def _all(node: TreeNode):
    yield node
    for child in node.children:
        yield from _all(child)
