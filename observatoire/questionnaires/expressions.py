"""A small, safe evaluator for the XLSForm (XPath 1.0) subset used in `relevant` and
`constraint`: `${code}`, `.`, strings, numbers, `= != < <= > >=`, `+ - * div mod`,
`and`, `or`, parentheses and the functions `selected`, `count-selected`, `not`, `true`,
`false`, `string-length`, `number`.

Never `eval`: the expression is tokenised and parsed into a tree. Values follow XPath 1.0:
a skipped question is the empty string, a multiple choice is its space-separated values,
`=` compares as numbers when one side is a number, `<`… always compare as numbers (a
non-number is NaN, so the comparison is false). `static/questionnaires/expressions.js`
implements the same grammar and semantics for the browser; the shared cases in
`tests/expression_cases.json` are run against both.
"""

import math
import re
from dataclasses import dataclass
from typing import Any

Value = str | float | bool


class ExpressionError(ValueError):
    """An expression that does not parse, with a French message."""


TOKEN_RE = re.compile(
    r"""\s*(?:
    (?P<ref>\$\{[A-Za-z_][A-Za-z0-9_]*\})
    |(?P<string>'[^']*'|"[^"]*")
    |(?P<number>\d+(?:\.\d*)?|\.\d+)
    |(?P<op>!=|<=|>=|=|<|>|\+|-|\*|\(|\)|,|\.)
    |(?P<name>[A-Za-z_][A-Za-z0-9_-]*)
    )""",
    re.VERBOSE,
)
FUNCTIONS = {
    "selected": 2,
    "count-selected": 1,
    "not": 1,
    "true": 0,
    "false": 0,
    "string-length": 1,
    "number": 1,
}
NUMBER_RE = re.compile(r"^\s*-?(\d+(\.\d*)?|\.\d+)\s*$")


@dataclass(frozen=True)
class Node:
    kind: str  # "lit", "ref", "current", "op", "neg", "call"
    value: Any = None
    args: tuple["Node", ...] = ()

    def references(self) -> set[str]:
        found = {self.value} if self.kind == "ref" else set()
        for arg in self.args:
            found |= arg.references()
        return found


def tokenize(text: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    text = text.rstrip()
    while position < len(text):
        match = TOKEN_RE.match(text, position)
        if not match or match.end() == position:
            raise ExpressionError(f"caractère inattendu « {text[position:].strip()[:1]} ».")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str):
        self.tokens = tokenize(text)
        self.position = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise ExpressionError("expression incomplète.")
        self.position += 1
        return token

    def accept(self, kind: str, text: str) -> bool:
        token = self.peek()
        if token is not None and token[0] == kind and token[1] == text:
            self.position += 1
            return True
        return False

    def expect(self, text: str) -> None:
        if not self.accept("op", text):
            token = self.peek()
            found = f"« {token[1]} »" if token else "la fin"
            raise ExpressionError(f"« {text} » attendu, {found} trouvé.")

    def parse(self) -> Node:
        node = self.binary(0)
        token = self.peek()
        if token is not None:
            raise ExpressionError(f"« {token[1]} » inattendu.")
        return node

    LEVELS: tuple[tuple[tuple[str, str], ...], ...] = (
        (("name", "or"),),
        (("name", "and"),),
        (("op", "="), ("op", "!=")),
        (("op", "<"), ("op", "<="), ("op", ">"), ("op", ">=")),
        (("op", "+"), ("op", "-")),
        (("op", "*"), ("name", "div"), ("name", "mod")),
    )

    def binary(self, level: int) -> Node:
        if level == len(self.LEVELS):
            return self.unary()
        node = self.binary(level + 1)
        while True:
            token = self.peek()
            if token is None or token not in self.LEVELS[level]:
                return node
            self.position += 1
            node = Node("op", token[1], (node, self.binary(level + 1)))

    def unary(self) -> Node:
        if self.accept("op", "-"):
            return Node("neg", None, (self.unary(),))
        return self.primary()

    def primary(self) -> Node:
        kind, text = self.take()
        if kind == "ref":
            return Node("ref", text[2:-1])
        if kind == "string":
            return Node("lit", text[1:-1])
        if kind == "number":
            return Node("lit", float(text))
        if kind == "op" and text == ".":
            return Node("current")
        if kind == "op" and text == "(":
            node = self.binary(0)
            self.expect(")")
            return node
        if kind == "name" and text in FUNCTIONS:
            self.expect("(")
            args: list[Node] = []
            if not self.accept("op", ")"):
                args.append(self.binary(0))
                while self.accept("op", ","):
                    args.append(self.binary(0))
                self.expect(")")
            if len(args) != FUNCTIONS[text]:
                raise ExpressionError(
                    f"{text}() attend {FUNCTIONS[text]} argument(s), {len(args)} donné(s)."
                )
            return Node("call", text, tuple(args))
        if kind == "name":
            raise ExpressionError(f"fonction ou mot « {text} » inconnu.")
        raise ExpressionError(f"« {text} » inattendu.")


_cache: dict[str, Node] = {}


def parse(text: str) -> Node:
    """Parse once, cache the tree (forms reuse the same few expressions)."""
    if text not in _cache:
        _cache[text] = _Parser(text).parse()
    return _cache[text]


def as_value(answer: Any) -> Value:
    """A stored answer as an XPath value: missing → '', list → 'a b', number → float."""
    if answer is None:
        return ""
    if isinstance(answer, bool):
        return answer
    if isinstance(answer, int | float):
        return float(answer)
    if isinstance(answer, list):
        return " ".join(str(item) for item in answer)
    return str(answer)


def to_number(value: Value) -> float:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, float):
        return value
    return float(value) if NUMBER_RE.match(value) else math.nan


def to_boolean(value: Value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return not (value == 0 or math.isnan(value))
    return value != ""


def to_string(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return str(int(value)) if value.is_integer() else repr(value)
    return value


def _equal(left: Value, right: Value) -> bool:
    if isinstance(left, bool) or isinstance(right, bool):
        return to_boolean(left) == to_boolean(right)
    if isinstance(left, float) or isinstance(right, float):
        return to_number(left) == to_number(right)
    return left == right


def _compare(op: str, left: Value, right: Value) -> bool:
    a, b = to_number(left), to_number(right)
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]


def _arithmetic(op: str, a: float, b: float) -> float:
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "div":
        if b == 0:
            if a == 0 or math.isnan(a):
                return math.nan
            return math.copysign(math.inf, a) * math.copysign(1, b)
        return a / b
    if b == 0 or math.isnan(a) or math.isnan(b) or math.isinf(a):
        return math.nan
    return math.fmod(a, b)


def _evaluate(node: Node, answers: dict[str, Any], current: Any) -> Value:
    if node.kind == "lit":
        return node.value
    if node.kind == "ref":
        return as_value(answers.get(node.value))
    if node.kind == "current":
        return as_value(current)
    if node.kind == "neg":
        return -to_number(_evaluate(node.args[0], answers, current))
    if node.kind == "op":
        op = node.value
        if op == "or":
            return to_boolean(_evaluate(node.args[0], answers, current)) or to_boolean(
                _evaluate(node.args[1], answers, current)
            )
        if op == "and":
            return to_boolean(_evaluate(node.args[0], answers, current)) and to_boolean(
                _evaluate(node.args[1], answers, current)
            )
        left = _evaluate(node.args[0], answers, current)
        right = _evaluate(node.args[1], answers, current)
        if op == "=":
            return _equal(left, right)
        if op == "!=":
            return not _equal(left, right)
        if op in {"<", "<=", ">", ">="}:
            return _compare(op, left, right)
        return _arithmetic(op, to_number(left), to_number(right))
    args = [_evaluate(arg, answers, current) for arg in node.args]
    name = node.value
    if name == "selected":
        return to_string(args[1]).strip() in to_string(args[0]).split()
    if name == "count-selected":
        return float(len(to_string(args[0]).split()))
    if name == "not":
        return not to_boolean(args[0])
    if name == "true":
        return True
    if name == "false":
        return False
    if name == "string-length":
        return float(len(to_string(args[0])))
    return to_number(args[0])  # number()


def evaluate(expression: str, answers: dict[str, Any], current: Any = None) -> Value:
    return _evaluate(parse(expression), answers, current)


def is_true(expression: str, answers: dict[str, Any], current: Any = None) -> bool:
    """An empty condition holds; otherwise the XPath boolean of the expression."""
    if not expression.strip():
        return True
    return to_boolean(evaluate(expression, answers, current))
