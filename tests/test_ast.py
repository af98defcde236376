"""Every syntax tree class behaves as `@dataclass(frozen=True)` would make it (ast.node builds them
for less): the same signature, repr, equality (spans and literal spellings left out), hash,
frozen fields, and `replace`, copy and pickle round trips."""
import copy
import dataclasses
import inspect
import pickle

import pytest

from kpi_engine import ast

NODE_CLASSES = [c for c in vars(ast).values()
                if isinstance(c, type) and issubclass(c, ast.Node) and c.__module__ == ast.__name__]


def reference(cls):
    """The class `@dataclass(frozen=True)` makes of the same fields."""
    specs = [(f.name, f.type, dataclasses.field(default=f.default, compare=f.compare, repr=f.repr,
                                                 kw_only=f.kw_only)) for f in dataclasses.fields(cls)]
    return dataclasses.make_dataclass(cls.__name__, specs, frozen=True)


def instances(cls, ref, seed: int):
    """(node, the reference's instance) with the same field values."""
    values = {f.name: (f"{f.name}-{seed}" if f.name != "span" else ast.Span(seed, 1, seed, 2, 3, 4))
              for f in dataclasses.fields(cls)}
    positional = {f.name: values[f.name] for f in dataclasses.fields(cls) if not f.kw_only}
    keyword = {f.name: values[f.name] for f in dataclasses.fields(cls) if f.kw_only}
    return cls(*positional.values(), **keyword), ref(*positional.values(), **keyword)


def test_every_node_class_is_checked():
    assert len(NODE_CLASSES) > 60 and ast.Literal in NODE_CLASSES


@pytest.mark.parametrize("cls", NODE_CLASSES, ids=lambda c: c.__name__)
def test_a_node_class_is_a_frozen_dataclass_in_all_but_name(cls):
    ref = reference(cls)
    assert dataclasses.is_dataclass(cls)
    assert str(inspect.signature(cls)) == str(inspect.signature(ref))
    if cls.__doc__.startswith(cls.__name__ + "("):   # no docstring of its own: the signature
        assert cls.__doc__ == ref.__doc__
    one, ref_one = instances(cls, ref, 1)
    two, ref_two = instances(cls, ref, 2)
    again, ref_again = instances(cls, ref, 1)
    assert repr(one) == repr(ref_one)
    assert hash(one) == hash(ref_one)
    assert (one == again, one == two, one != two) == \
        (ref_one == ref_again, ref_one == ref_two, ref_one != ref_two)
    assert one.__eq__(ref_one) is NotImplemented
    for f in dataclasses.fields(cls):
        for instance in (one, ref_one):
            with pytest.raises(dataclasses.FrozenInstanceError, match=f"cannot assign to field '{f.name}'"):
                setattr(instance, f.name, None)
            with pytest.raises(dataclasses.FrozenInstanceError, match=f"cannot delete field '{f.name}'"):
                delattr(instance, f.name)
    changed = dataclasses.replace(one, span=ast.Span(9, 9, 9, 9, 9, 9))
    assert changed == one and changed.span.line == 9 and one.span.line == 1
    assert copy.copy(one) == one and copy.deepcopy(one) == one and pickle.loads(pickle.dumps(one)) == one
    assert dataclasses.asdict(one) == dataclasses.asdict(ref_one)


def test_literal_spellings_and_spans_stay_out_of_equality():
    a = ast.Literal("duration", 1800, "30min", span=ast.Span(1, 1, 1, 6, 0, 5))
    b = ast.Literal("duration", 1800, "1800s")
    assert a == b and hash(a) == hash(b)
    assert a != ast.Literal("number", 1800, "1800")
