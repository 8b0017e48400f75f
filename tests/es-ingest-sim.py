#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""es-ingest-sim.py PIPELINE.json < docs.jsonl > out.jsonl

Runs an Elasticsearch ingest pipeline over JSON Lines documents without
Elasticsearch (none can be installed here): tests/integrations.sh uses it to
check tools/integrations/elastic-ingest-pipeline.json against
tools/integrations/ecs.jq on real exports. It implements only what that
pipeline uses, with Elasticsearch 8's documented semantics, and fails loudly
on anything else:

  processors  drop, rename, remove, set (value | copy_from, ignore_empty_value,
              override), append (allow_duplicates), convert (type string),
              gsub, lowercase, uppercase, and `script` by tag, for the one
              script of the pipeline, whose source must be the text pinned
              below (edit both together)
  options     if (a Painless subset: ctx paths with . ?. [n], == != > <,
              && || !, 'strings', numbers, null, .contains(x) .isEmpty()
              .size()), ignore_missing, tag, description
  templates   {{{path}}} in set/append values (mustache, no escaping)
  paths       dotted, a numeric element indexes a list (certs.0.sha256)

A dropped document prints nothing. An error (a processor that Elasticsearch
would fail the document on) exits 1 naming the processor.
"""
import datetime
import json
import re
import sys


class PipelineError(Exception):
    pass


class NPE(PipelineError):
    pass


# ---------- field paths (IngestDocument) ----------
MISSING = object()


def split_path(path):
    return path.split(".")


def get_path(doc, path):
    cur = doc
    for el in split_path(path):
        if isinstance(cur, dict):
            if el not in cur:
                return MISSING
            cur = cur[el]
        elif isinstance(cur, list):
            try:
                i = int(el)
            except ValueError:
                return MISSING
            if i < 0 or i >= len(cur):
                return MISSING
            cur = cur[i]
        else:
            return MISSING
    return cur


def set_path(doc, path, value):
    els = split_path(path)
    cur = doc
    for el in els[:-1]:
        if isinstance(cur, dict):
            if el not in cur or cur[el] is None:
                cur[el] = {}
            cur = cur[el]
        elif isinstance(cur, list):
            cur = cur[int(el)]
        else:
            raise PipelineError("cannot set [%s]: a parent is not an object" % path)
        if not isinstance(cur, (dict, list)):
            raise PipelineError("cannot set [%s]: a parent is not an object" % path)
    if isinstance(cur, list):
        cur[int(els[-1])] = value
    else:
        cur[els[-1]] = value


def remove_path(doc, path):
    els = split_path(path)
    parent = get_path(doc, ".".join(els[:-1])) if len(els) > 1 else doc
    if not isinstance(parent, dict) or els[-1] not in parent:
        return False
    del parent[els[-1]]
    return True


# ---------- mustache {{{path}}} ----------
def render(doc, v):
    if isinstance(v, list):
        return [render(doc, x) for x in v]
    if not isinstance(v, str):
        return v

    def one(m):
        x = get_path(doc, m.group(1).strip())
        if x is MISSING or x is None:
            return ""
        if isinstance(x, bool):
            return "true" if x else "false"
        return str(x)
    if "{{" in v and not re.fullmatch(r"(?:[^{]|\{\{\{[^}]*\}\}\})*", v):
        raise PipelineError("template form not supported: %r" % v)
    return re.sub(r"\{\{\{([^}]*)\}\}\}", one, v)


# ---------- Painless subset ----------
TOK = re.compile(r"\s*(?:(\?\.)|(&&|\|\||==|!=|[<>]=?|!)|([A-Za-z_][A-Za-z0-9_]*)|"
                 r"('(?:[^'\\]|\\.)*')|([0-9]+)|([.\[\]()]))")


def tokenize(src):
    out, pos = [], 0
    src = src.rstrip()
    while pos < len(src):
        m = TOK.match(src, pos)
        if not m or m.end() == pos:
            raise PipelineError("painless subset: cannot read %r" % src[pos:])
        pos = m.end()
        if m.group(1):
            out.append(("op", "?."))
        elif m.group(2):
            out.append(("op", m.group(2)))
        elif m.group(3):
            out.append(("id", m.group(3)))
        elif m.group(4):
            out.append(("str", m.group(4)[1:-1].replace("\\'", "'")))
        elif m.group(5):
            out.append(("num", int(m.group(5))))
        else:
            out.append(("op", m.group(6)))
    return out


class Cond:
    """Parses a condition into a tree, then evaluates it with Painless'
    short-circuit && and ||, null-safe ?. and a NullPointerException for
    . on null."""

    def __init__(self, src):
        self.t, self.i = tokenize(src), 0
        self.tree = self.or_()
        if self.i != len(self.t):
            raise PipelineError("painless subset: trailing %r" % (self.peek(),))

    def peek(self):
        return self.t[self.i] if self.i < len(self.t) else (None, None)

    def take(self, val=None):
        tok = self.peek()
        if val is not None and tok[1] != val:
            raise PipelineError("painless subset: expected %r, got %r" % (val, tok[1]))
        self.i += 1
        return tok

    # parser
    def or_(self):
        n = self.and_()
        while self.peek()[1] == "||":
            self.take()
            n = ("or", n, self.and_())
        return n

    def and_(self):
        n = self.unary()
        while self.peek()[1] == "&&":
            self.take()
            n = ("and", n, self.unary())
        return n

    def unary(self):
        if self.peek()[1] == "!":
            self.take()
            return ("not", self.unary())
        return self.cmp()

    def cmp(self):
        a = self.postfix()
        op = self.peek()[1]
        if op in ("==", "!=", ">", "<", ">=", "<="):
            self.take()
            return ("cmp", op, a, self.postfix())
        return a

    def postfix(self):
        n = self.primary()
        while True:
            op = self.peek()[1]
            if op in (".", "?."):
                self.take()
                name = self.take()[1]
                if self.peek()[1] == "(":
                    self.take("(")
                    args = []
                    while self.peek()[1] != ")":
                        args.append(self.postfix())
                    self.take(")")
                    n = ("call", op, n, name, args)
                else:
                    n = ("field", op, n, name)
            elif op == "[":
                self.take()
                idx = self.take()[1]
                self.take("]")
                n = ("index", n, idx)
            else:
                return n

    def primary(self):
        k, v = self.take()
        if k == "id" and v == "ctx":
            return ("ctx",)
        if k == "id" and v in ("null", "true", "false"):
            return ("lit", {"null": None, "true": True, "false": False}[v])
        if k in ("str", "num"):
            return ("lit", v)
        if v == "(":
            n = self.or_()
            self.take(")")
            return n
        raise PipelineError("painless subset: unexpected %r" % v)

    # evaluation
    def eval(self, ctx, n=None):
        n = self.tree if n is None else n
        k = n[0]
        if k == "ctx":
            return ctx
        if k == "lit":
            return n[1]
        if k in ("and", "or"):
            a = self.bool(self.eval(ctx, n[1]))
            if (k == "and" and not a) or (k == "or" and a):
                return a
            return self.bool(self.eval(ctx, n[2]))
        if k == "not":
            return not self.bool(self.eval(ctx, n[1]))
        if k == "cmp":
            op, a, b = n[1], self.eval(ctx, n[2]), self.eval(ctx, n[3])
            if op in ("==", "!="):
                eq = (a is None and b is None) or (a is not None and b is not None
                                                   and type(a) is type(b) and a == b)
                return eq if op == "==" else not eq
            if a is None or b is None:
                raise NPE("null in a comparison")
            return {">": a > b, "<": a < b, ">=": a >= b, "<=": a <= b}[op]
        if k in ("field", "call"):
            v = self.eval(ctx, n[2])
            if v is None:
                if n[1] == "?.":
                    return None
                raise NPE("%s on null" % n[3])
            if k == "field":
                if not isinstance(v, dict):
                    raise PipelineError("field %s on a non-map" % n[3])
                return v.get(n[3])
            args = [self.eval(ctx, x) for x in n[4]]
            name = n[3]
            if name == "contains" and isinstance(v, (str, list)):
                return args[0] in v
            if name == "isEmpty" and isinstance(v, (str, list, dict)):
                return len(v) == 0
            if name == "size" and isinstance(v, (list, dict)):
                return len(v)
            raise PipelineError("method %s not in the subset" % name)
        if k == "index":
            v = self.eval(ctx, n[1])
            if v is None:
                raise NPE("index on null")
            if not isinstance(v, list) or n[2] >= len(v):
                raise PipelineError("index out of bounds")
            return v[n[2]]
        raise PipelineError("bad node %r" % (k,))

    @staticmethod
    def bool(v):
        if not isinstance(v, bool):
            raise PipelineError("not a boolean: %r" % (v,))
        return v


# ---------- the pipeline's one script ----------
SCRIPT_ARITHMETIC = (
    "def w = ctx.wireaudit; "
    "ctx.network.packets = w.packets_c2s + w.packets_s2c; "
    "ctx.network.bytes = w.bytes_c2s + w.bytes_s2c; "
    "ctx.event.duration = ChronoUnit.NANOS.between(ZonedDateTime.parse(w.ts_first), "
    "ZonedDateTime.parse(w.ts_last));")


def parse_rfc3339_ns(s):
    m = re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?Z", s)
    if not m:
        raise PipelineError("ZonedDateTime.parse: %r" % s)
    d = datetime.datetime(*map(int, m.groups()[:6]), tzinfo=datetime.timezone.utc)
    frac = (m.group(7) or "").ljust(9, "0")
    return int(d.timestamp()) * 10**9 + int(frac)


def script_arithmetic(doc):
    w = doc["wireaudit"]
    for k in ("packets_c2s", "packets_s2c", "bytes_c2s", "bytes_s2c", "ts_first", "ts_last"):
        if w.get(k) is None:
            raise NPE("script: wireaudit.%s is null" % k)
    if not isinstance(doc.get("network"), dict) or not isinstance(doc.get("event"), dict):
        raise NPE("script: ctx.network or ctx.event is null")
    doc["network"]["packets"] = w["packets_c2s"] + w["packets_s2c"]
    doc["network"]["bytes"] = w["bytes_c2s"] + w["bytes_s2c"]
    doc["event"]["duration"] = parse_rfc3339_ns(w["ts_last"]) - parse_rfc3339_ns(w["ts_first"])


SCRIPTS = {"wireaudit_arithmetic": (SCRIPT_ARITHMETIC, script_arithmetic)}


# ---------- processors ----------
COMMON = {"if", "tag", "description", "ignore_failure", "on_failure"}
ALLOWED = {
    "drop": set(),
    "rename": {"field", "target_field", "ignore_missing"},
    "remove": {"field", "ignore_missing"},
    "set": {"field", "value", "copy_from", "ignore_empty_value", "override"},
    "append": {"field", "value", "allow_duplicates"},
    "convert": {"field", "type", "ignore_missing"},
    "gsub": {"field", "pattern", "replacement", "ignore_missing"},
    "lowercase": {"field", "ignore_missing"},
    "uppercase": {"field", "ignore_missing"},
    "script": {"lang", "source"},
}


def java_replacement(r):
    # Java's $1 -> Python's \g<1>; only $n is used by the pipeline
    if "\\" in r:
        raise PipelineError("replacement escapes not supported")
    return re.sub(r"\$(\d)", r"\\g<\1>", r)


def empty(v):
    return v is None or v == ""


def run_processor(doc, kind, o):
    unknown = set(o) - ALLOWED.get(kind, set()) - COMMON
    if kind not in ALLOWED or unknown:
        raise PipelineError("not emulated: %s %s" % (kind, sorted(unknown)))
    if o.get("ignore_failure") or o.get("on_failure"):
        raise PipelineError("ignore_failure/on_failure not emulated")
    if "if" in o and not Cond.bool(Cond(o["if"]).eval(doc)):
        return True
    f = o.get("field")
    if kind == "drop":
        return False
    if kind == "rename":
        v = get_path(doc, f)
        if v is MISSING:
            if o.get("ignore_missing"):
                return True
            raise PipelineError("field [%s] doesn't exist" % f)
        if get_path(doc, o["target_field"]) is not MISSING:
            raise PipelineError("field [%s] already exists" % o["target_field"])
        remove_path(doc, f)
        set_path(doc, o["target_field"], v)
    elif kind == "remove":
        for p in (f if isinstance(f, list) else [f]):
            if not remove_path(doc, p) and not o.get("ignore_missing"):
                raise PipelineError("field [%s] doesn't exist" % p)
    elif kind == "set":
        if ("value" in o) == ("copy_from" in o):
            raise PipelineError("set needs exactly one of value, copy_from")
        if o.get("override", True) is False and get_path(doc, f) not in (MISSING, None):
            return True
        if "copy_from" in o:
            v = get_path(doc, o["copy_from"])
            if v is MISSING:
                if o.get("ignore_empty_value"):
                    return True
                raise PipelineError("field [%s] doesn't exist" % o["copy_from"])
            v = json.loads(json.dumps(v))
        else:
            v = render(doc, o["value"])
        if o.get("ignore_empty_value") and empty(v):
            return True
        set_path(doc, f, v)
    elif kind == "append":
        vals = render(doc, o["value"])
        vals = vals if isinstance(vals, list) else [vals]
        cur = get_path(doc, f)
        if cur is MISSING or cur is None:
            set_path(doc, f, list(vals))
            return True
        if not isinstance(cur, list):
            cur = [cur]
            set_path(doc, f, cur)
        for v in vals:
            if o.get("allow_duplicates", True) or v not in cur:
                cur.append(v)
    elif kind in ("convert", "gsub", "lowercase", "uppercase"):
        v = get_path(doc, f)
        if v is MISSING or v is None:
            if o.get("ignore_missing"):
                return True
            raise PipelineError("field [%s] is missing or null" % f)
        if kind == "convert":
            if o["type"] != "string":
                raise PipelineError("convert type %s not emulated" % o["type"])

            def conv(x):
                if isinstance(x, bool):
                    return "true" if x else "false"
                if isinstance(x, (int, float, str)):
                    return str(x)
                raise PipelineError("convert: %r" % (x,))
            set_path(doc, f, [conv(x) for x in v] if isinstance(v, list) else conv(v))
            return True
        if not isinstance(v, str):
            raise PipelineError("%s: field [%s] is not a string" % (kind, f))
        if kind == "gsub":
            v = re.sub(o["pattern"], java_replacement(o["replacement"]), v)
        elif kind == "lowercase":
            v = v.lower()
        else:
            v = v.upper()
        set_path(doc, f, v)
    elif kind == "script":
        tag = o.get("tag")
        if tag not in SCRIPTS or o.get("lang", "painless") != "painless":
            raise PipelineError("script %r is not emulated" % tag)
        if o["source"] != SCRIPTS[tag][0]:
            raise PipelineError("script %r changed: update its emulation in %s" % (tag, __file__))
        SCRIPTS[tag][1](doc)
    return True


def run(pipeline, doc):
    for n, p in enumerate(pipeline["processors"]):
        (kind, o), = p.items()
        try:
            if not run_processor(doc, kind, o):
                return None
        except PipelineError as e:
            raise PipelineError("processor %d (%s %s): %s" % (n, kind, o.get("tag") or o.get("field"), e))
    return doc


def main():
    pipeline = json.load(open(sys.argv[1]))
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            out = run(pipeline, json.loads(line))
        except PipelineError as e:
            print("es-ingest-sim: %s" % e, file=sys.stderr)
            sys.exit(1)
        if out is not None:
            print(json.dumps(out, ensure_ascii=False, separators=(",", ":")))


if __name__ == "__main__":
    main()
