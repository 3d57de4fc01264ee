"""Two mutation operators cosmic-ray lacks, for mistakes the spec rules are most exposed to.

- ReplaceAugmentedAssign: `x += y` / `x -= y` becomes `x = y` (a running total that forgets what came before).
- RemoveRaise: `raise ...` becomes `pass` (a guard that no longer refuses anything).
- RemoveCallStatement: a call made for its effect (`credit.require_remaining(amount)`, `events.append(...)`)
  becomes `pass` (a check or a history line that is no longer there).
Registered as the operator provider `domain` by mutation/run.py, which runs cosmic-ray in its own process.
"""
from __future__ import annotations

from parso.python.tree import Keyword, Operator as OperatorLeaf

from cosmic_ray.operators.operator import Example, Operator


class ReplaceAugmentedAssign(Operator):
    """`+=` and `-=` become `=`."""

    def mutation_positions(self, node):
        if isinstance(node, OperatorLeaf) and node.value in ("+=", "-="):
            yield (node.start_pos, node.end_pos)

    def mutate(self, node, index):
        node.value = "="
        return node

    @classmethod
    def examples(cls):
        return (Example("x += 1\n", "x = 1\n"), Example("x -= y\n", "x = y\n"))


class RemoveRaise(Operator):
    """A `raise` statement becomes `pass`."""

    def mutation_positions(self, node):
        if node.type == "raise_stmt":
            yield (node.start_pos, node.end_pos)

    def mutate(self, node, index):
        return Keyword("pass", node.start_pos, prefix=node.get_first_leaf().prefix)

    @classmethod
    def examples(cls):
        return (Example("if x:\n    raise E('no')\n", "if x:\n    pass\n"),)


class RemoveCallStatement(Operator):
    """A statement that is only a call becomes `pass`."""

    def mutation_positions(self, node):
        if (node.type == "atom_expr" and node.parent.type == "simple_stmt"
                and node.children[-1].type == "trailer" and node.children[-1].children[0].value == "("):
            yield (node.start_pos, node.end_pos)

    def mutate(self, node, index):
        return Keyword("pass", node.start_pos, prefix=node.get_first_leaf().prefix)

    @classmethod
    def examples(cls):
        return (Example("def f(c):\n    c.require(1)\n    return c\n", "def f(c):\n    pass\n    return c\n"),)


class DomainOperatorProvider:
    """cosmic-ray operator provider: names are looked up as `domain/<OperatorName>`."""

    _OPERATORS = {op.__name__: op for op in (ReplaceAugmentedAssign, RemoveRaise, RemoveCallStatement)}

    def __iter__(self):
        return iter(self._OPERATORS)

    def __getitem__(self, name):
        return self._OPERATORS[name]


def register() -> None:
    """Make the operators visible to cosmic-ray's init and exec in this process."""
    from cosmic_ray import plugins

    plugins.OPERATOR_PROVIDERS.setdefault("domain", DomainOperatorProvider())
