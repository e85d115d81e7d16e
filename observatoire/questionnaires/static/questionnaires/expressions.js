/* The XLSForm expression subset of observatoire/questionnaires/expressions.py, for the
   browser: same grammar, same XPath 1.0 semantics (tested on the same table of cases). */
(function (global) {
  "use strict";

  var TOKEN = /\s*(?:(\$\{[A-Za-z_][A-Za-z0-9_]*\})|('[^']*'|"[^"]*")|(\d+(?:\.\d*)?|\.\d+)|(!=|<=|>=|=|<|>|\+|-|\*|\(|\)|,|\.)|([A-Za-z_][A-Za-z0-9_-]*))/y;
  var KINDS = ["ref", "string", "number", "op", "name"];
  var FUNCTIONS = { "selected": 2, "count-selected": 1, "not": 1, "true": 0, "false": 0, "string-length": 1, "number": 1 };
  var NUMBER = /^\s*-?(\d+(\.\d*)?|\.\d+)\s*$/;
  var LEVELS = [
    [["name", "or"]],
    [["name", "and"]],
    [["op", "="], ["op", "!="]],
    [["op", "<"], ["op", "<="], ["op", ">"], ["op", ">="]],
    [["op", "+"], ["op", "-"]],
    [["op", "*"], ["name", "div"], ["name", "mod"]]
  ];

  function ExpressionError(message) { this.message = message; }

  function tokenize(text) {
    var tokens = [], position = 0, match, i;
    text = text.replace(/\s+$/, "");
    while (position < text.length) {
      TOKEN.lastIndex = position;
      match = TOKEN.exec(text);
      if (!match || TOKEN.lastIndex === position) {
        throw new ExpressionError("caractère inattendu « " + text.slice(position).trim().charAt(0) + " ».");
      }
      for (i = 0; i < KINDS.length; i++) {
        if (match[i + 1] !== undefined) { tokens.push([KINDS[i], match[i + 1]]); break; }
      }
      position = TOKEN.lastIndex;
    }
    return tokens;
  }

  function parse(text) {
    var tokens = tokenize(text), position = 0;
    function peek() { return position < tokens.length ? tokens[position] : null; }
    function take() {
      var token = peek();
      if (!token) { throw new ExpressionError("expression incomplète."); }
      position += 1;
      return token;
    }
    function accept(kind, value) {
      var token = peek();
      if (token && token[0] === kind && token[1] === value) { position += 1; return true; }
      return false;
    }
    function expect(value) {
      if (!accept("op", value)) {
        var token = peek();
        throw new ExpressionError("« " + value + " » attendu, " + (token ? "« " + token[1] + " »" : "la fin") + " trouvé.");
      }
    }
    function atLevel(token, level) {
      return LEVELS[level].some(function (t) { return t[0] === token[0] && t[1] === token[1]; });
    }
    function binary(level) {
      if (level === LEVELS.length) { return unary(); }
      var node = binary(level + 1), token;
      for (;;) {
        token = peek();
        if (!token || !atLevel(token, level)) { return node; }
        position += 1;
        node = { kind: "op", value: token[1], args: [node, binary(level + 1)] };
      }
    }
    function unary() {
      if (accept("op", "-")) { return { kind: "neg", args: [unary()] }; }
      return primary();
    }
    function primary() {
      var token = take(), kind = token[0], text = token[1], args, node;
      if (kind === "ref") { return { kind: "ref", value: text.slice(2, -1), args: [] }; }
      if (kind === "string") { return { kind: "lit", value: text.slice(1, -1), args: [] }; }
      if (kind === "number") { return { kind: "lit", value: parseFloat(text), args: [] }; }
      if (kind === "op" && text === ".") { return { kind: "current", args: [] }; }
      if (kind === "op" && text === "(") { node = binary(0); expect(")"); return node; }
      if (kind === "name" && Object.prototype.hasOwnProperty.call(FUNCTIONS, text)) {
        expect("(");
        args = [];
        if (!accept("op", ")")) {
          args.push(binary(0));
          while (accept("op", ",")) { args.push(binary(0)); }
          expect(")");
        }
        if (args.length !== FUNCTIONS[text]) {
          throw new ExpressionError(text + "() attend " + FUNCTIONS[text] + " argument(s), " + args.length + " donné(s).");
        }
        return { kind: "call", value: text, args: args };
      }
      if (kind === "name") { throw new ExpressionError("fonction ou mot « " + text + " » inconnu."); }
      throw new ExpressionError("« " + text + " » inattendu.");
    }
    var tree = binary(0);
    if (peek()) { throw new ExpressionError("« " + peek()[1] + " » inattendu."); }
    return tree;
  }

  function asValue(answer) {
    if (answer === null || answer === undefined) { return ""; }
    if (typeof answer === "boolean" || typeof answer === "number") { return answer; }
    if (Array.isArray(answer)) { return answer.map(String).join(" "); }
    return String(answer);
  }
  function toNumber(value) {
    if (typeof value === "boolean") { return value ? 1 : 0; }
    if (typeof value === "number") { return value; }
    return NUMBER.test(value) ? parseFloat(value) : NaN;
  }
  function toBoolean(value) {
    if (typeof value === "boolean") { return value; }
    if (typeof value === "number") { return !(value === 0 || isNaN(value)); }
    return value !== "";
  }
  function toString(value) {
    if (typeof value === "boolean") { return value ? "true" : "false"; }
    if (typeof value === "number") { return isNaN(value) ? "NaN" : String(value); }
    return value;
  }
  function equal(left, right) {
    if (typeof left === "boolean" || typeof right === "boolean") { return toBoolean(left) === toBoolean(right); }
    if (typeof left === "number" || typeof right === "number") { return toNumber(left) === toNumber(right); }
    return left === right;
  }
  function words(text) { return text.split(/\s+/).filter(function (w) { return w !== ""; }); }

  function evaluateNode(node, answers, current) {
    var left, right, a, b, args;
    switch (node.kind) {
      case "lit": return node.value;
      case "ref": return asValue(answers[node.value]);
      case "current": return asValue(current);
      case "neg": return -toNumber(evaluateNode(node.args[0], answers, current));
      case "op":
        if (node.value === "or") {
          return toBoolean(evaluateNode(node.args[0], answers, current)) || toBoolean(evaluateNode(node.args[1], answers, current));
        }
        if (node.value === "and") {
          return toBoolean(evaluateNode(node.args[0], answers, current)) && toBoolean(evaluateNode(node.args[1], answers, current));
        }
        left = evaluateNode(node.args[0], answers, current);
        right = evaluateNode(node.args[1], answers, current);
        if (node.value === "=") { return equal(left, right); }
        if (node.value === "!=") { return !equal(left, right); }
        a = toNumber(left); b = toNumber(right);
        switch (node.value) {
          case "<": return a < b;
          case "<=": return a <= b;
          case ">": return a > b;
          case ">=": return a >= b;
          case "+": return a + b;
          case "-": return a - b;
          case "*": return a * b;
          case "div": return a / b;
          default: return a % b;
        }
      default:
        args = node.args.map(function (arg) { return evaluateNode(arg, answers, current); });
        switch (node.value) {
          case "selected": return words(toString(args[0])).indexOf(toString(args[1]).trim()) !== -1;
          case "count-selected": return words(toString(args[0])).length;
          case "not": return !toBoolean(args[0]);
          case "true": return true;
          case "false": return false;
          case "string-length": return toString(args[0]).length;
          default: return toNumber(args[0]);
        }
    }
  }

  var cache = {};
  function evaluate(expression, answers, current) {
    if (!Object.prototype.hasOwnProperty.call(cache, expression)) { cache[expression] = parse(expression); }
    return evaluateNode(cache[expression], answers || {}, current);
  }
  function isTrue(expression, answers, current) {
    if (!expression || !expression.trim()) { return true; }
    return toBoolean(evaluate(expression, answers, current));
  }

  global.XLSFormExpressions = { parse: parse, evaluate: evaluate, isTrue: isTrue, ExpressionError: ExpressionError };
})(window);
