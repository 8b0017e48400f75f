# SPDX-License-Identifier: BSD-3-Clause
# sql-bound.sh — SQLite only through bound parameters (issue 7, "Security"):
# no string from the wire may become SQL text. A source check over src/ and
# dissectors/ (C comments stripped, calls parsed with balanced parentheses):
#   - sqlite3_mprintf / vmprintf / snprintf / str_appendf are not used;
#   - dissectors never touch SQLite (they state facts through obs_*);
#   - every SQL sink (sqlite3_exec, sqlite3_prepare*, store.c's exec,
#     store_query, store_query_rows, store_exec, store_scalar, report.c's q
#     and q_exec, retention.c's ret_exec and ret_tmp) gets as its SQL
#     a string literal, `cond ? literal : literal`, a `static const char`
#     of the same file initialised with literals only, or one of the
#     allow-listed names below, whose text is built from constants only;
#   - every snprintf/sprintf that writes SQL (its format holds an SQL
#     keyword, or it writes the buffer named `sql`) formats %s only from the
#     allow-listed constant rule strings; numbers (%d, %lld) are fine;
#   - report.c's string builder: rp_sb_add appends a literal, an
#     allow-listed constant, or a buffer whose last snprintf in the function
#     holds numbers only; a variable handed to a sink may also be one set
#     from a builder's `.s` in the same function.
# Values (addresses, SNI, users, time bounds, --top) go through ?N binds.
# A self-test first shows the check catches each kind of violation.
. "$SRCDIR/tests/lib.sh"

cat >"$T_TMP/check.py" <<'PY'
import os, re, sys

# SQL text variables: what each holds (reviewed: constants only).
SQL_VARS = {
    "sql": "a buffer filled by an SQL snprintf checked below",
    "stmt_sql[i]": "store.c: static const table of INSERT statements with ? binds",
    "migrations[v]": "store.c: static const schema migrations",
    "rp_sharedleaf_sql": "load.c: static const, literals and the RP_TLS_ENV_FROM macro (literals)",
    "rp_leafw_sql": "load.c: static const, literals and the RP_TLS_ENV_FROM macro (literals)",
    "rp_sharedwild_sql": "load.c: static const, literals and the RP_IN_WINDOW macro (literals)",
    "ret_group_sql": "retention.c: static const, literals and the RET_KEY macro (literals: the roll-up's columns)",
    "rf_view_sql": "load.c: static const view definition, the time window in temp table rp_win",
    "rules_sql": "findings.c: the rule query from rp_rules_sql(), assembled by rp_sb_add from rule text this check allow-lists",
    "flow_each_sql": "store.c: sql_id or sql_seq, static const, literals and the FLOW_EACH_FROM macro (literals)",
    "scan_sql": "findings.c: the flow query from rp_flows_sql(), assembled there by rp_sb_add from rf column names this check allow-lists",
    "migrations[i]": "store.c: static const schema migrations (store_schema_desc runs them on a private in-memory database)",
    "pq_rows_sql": "pq.c: static const, literals and the RP_IN_WINDOW macro (literals)",
    "pq_all_sql": "pq.c: static const, literals and the PQ_SUMS/PQ_FROM macros (literals)",
    "pq_srv_sql": "pq.c: static const, literals and the PQ_SUMS/PQ_FROM macros (literals)",
    "pq_day_sql": "pq.c: static const, literals and the PQ_SUMS/PQ_FROM macros (literals)",
    "pq_grp_sql": "pq.c: static const, literals and the PQ_FROM macro (literals)",
    "pf_rows_sql": "profile.c: static const, literals and the PF_COLS macro (literals: column names)",
    "pf_inv_sql": "profile.c: static const, literals and the RP_IN_WINDOW macro (literals)",
    "sql.s": "profile.c: assembled by pf_add/pf_pred/pf_scoped from rp_checks[] (static const SQL), the static scope table, literals and numbers (a rule's number); a profile file's arguments are bound into rp_pfset, never pasted",
    "jb_str(&q)": "forward.c: statements built from literals (JB_LIT) and the table and column names of the schema description (store_schema_desc: read back from the static migrations), values bound",
}
# %s arguments allowed in SQL formats: compile-time rule text.
SQL_FMT_ARGS = {
    "grp_cols": "report.c: static const column list",
    "kd->evidence": "rules.c: rp_kinds[] (const), SQL expression",
    "kd->where": "rules.c: rp_kinds[] (const), SQL predicate",
    "r->relevant": "rules.c: rp_reqs[] string literal",
    "r->observable": "rules.c: rp_reqs[] string literal",
    "rep->reqs[i].relevant": "rules.c: rp_reqs[] string literal",
    "rep->reqs[i].observable": "rules.c: rp_reqs[] string literal",
    "evexpr[i]": "report.c: copies of kd->evidence",
    "causeexpr[i]": "report.c: rp_cause_sql() results, string literals in rules.c",
    "rp_key_cols[i]": "findings.c: static const table of rf column names",
    "ret_children[i]": "retention.c: static const table of the tables a flow has rows in",
    "name": "store.c desc_table: a table name read from sqlite_schema of the in-memory database the static migrations built",
    "iname": "store.c desc_table: an index name from pragma_index_list of that database",
    "t->name": "store.c/forward.c: a table name of the schema description (store_schema_desc)",
    "sel": "pg.c pg_mirror_open: literals and $N placeholder numbers only, values bound",
}
SINKS = ("sqlite3_exec", "sqlite3_prepare", "sqlite3_prepare_v2", "sqlite3_prepare_v3",
         "exec", "store_query", "store_query_rows", "store_json_query", "store_stmt_prepare", "q", "q_exec",
         "rp_q", "rp_q_exec", "store_exec", "store_scalar", "ret_exec", "ret_tmp")
FORBIDDEN = ("sqlite3_mprintf", "sqlite3_vmprintf", "sqlite3_snprintf", "sqlite3_str_appendf")
SQLKW = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|CREATE|PRAGMA|DROP|ALTER|ATTACH|REPLACE)\b")


def strip_comments(s):
    out, i, n = [], 0, len(s)
    while i < n:
        if s.startswith("/*", i):
            j = s.find("*/", i + 2)
            out.append(" " * ((j if j >= 0 else n) + 2 - i)); i = (j + 2) if j >= 0 else n
        elif s.startswith("//", i):
            j = s.find("\n", i); j = n if j < 0 else j
            out.append(" " * (j - i)); i = j
        elif s[i] in "\"'":
            q, j = s[i], i + 1
            while j < n and s[j] != q:
                j += 2 if s[j] == "\\" else 1
            out.append(s[i:j + 1]); i = j + 1
        else:
            out.append(s[i]); i += 1
    return "".join(out)


def call_args(s, i):
    """s[i] == '(': the top-level argument strings, or None."""
    depth, j, start, args, n = 0, i, i + 1, [], len(s)
    while j < n:
        c = s[j]
        if c in "\"'":
            k = j + 1
            while k < n and s[k] != c:
                k += 2 if s[k] == "\\" else 1
            j = k + 1
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth == 0:
                args.append(s[start:j].strip())
                return args
        elif c == "," and depth == 1:
            args.append(s[start:j].strip()); start = j + 1
        j += 1
    return None


def literal_text(a):
    """The text of a concatenation of string literals (and macros), or None."""
    parts = re.findall(r'"((?:[^"\\]|\\.)*)"', a)
    rest = re.sub(r'"((?:[^"\\]|\\.)*)"', "", a)
    rest = re.sub(r"\bWA_STR\s*\(\s*[A-Z_0-9]+\s*\)", "", rest)
    # report_int.h: RP_IN_SEL("alias"), literals around a literal alias
    rest = re.sub(r"\bRP_IN_SEL\s*\(\s*\)", "", rest).strip()
    return "".join(parts) if parts and not rest else None


CONV = re.compile(r"%[-+ #0]*(?:\d+|\*)?(?:\.(?:\d+|\*))?(?:hh|h|ll|l|z|j|t)?([diouxXsc%])")


def func_body(s, i):
    """Text of the function around position i (bodies open with '{' at column 0)."""
    return s[s.rfind("\n{", 0, i) + 1:i]


def numeric_buffer(s, i, name):
    """The last snprintf into `name` before i in this function has no %s/%c."""
    body = func_body(s, i)
    ms = list(re.finditer(r"\bs?n?printf\s*\(\s*%s\s*," % re.escape(name), body))
    if not ms:
        return False
    last = ms[-1].start()
    args = call_args(body, body.find("(", last))
    fi = 2 if body.startswith("snprintf", last) else 1
    fmt = literal_text(args[fi]) if args and len(args) > fi else None
    return fmt is not None and not any(c in "sc" for c in CONV.findall(fmt))


errors = []


def const_names(s):
    """static const char NAME[] / *const NAME initialised with literals only."""
    out = set()
    for m in re.finditer(r"static\s+const\s+char\s+(?:\*\s*const\s+)?(\w+)\s*(?:\[\s*\])?\s*=\s*([^;]*);", s):
        if literal_text(m.group(2)) is not None:
            out.add(m.group(1))
    return out


def literal_sql(a, consts):
    if literal_text(a) is not None or a in consts:
        return True
    lit = r'(?:(?:"(?:[^"\\]|\\.)*"|RP_IN_SEL\s*\(\s*"\w*"\s*\))\s*)+'
    return any(re.fullmatch(r"\s*%s:\s*%s" % (lit, lit), a[i + 1:], re.S)
               for i, c in enumerate(a) if c == "?")


def check_file(path, text):
    s = strip_comments(text)
    consts = const_names(s)
    where = lambda i: "%s:%d" % (path, s.count("\n", 0, i) + 1)
    for f in FORBIDDEN:
        for m in re.finditer(r"\b%s\s*\(" % f, s):
            errors.append("%s: %s builds SQL text from values; bind them" % (where(m.start()), f))
    m = re.search(r"\bsqlite3_\w+", s)
    if "/dissectors/" in path and m:
        errors.append("%s: a dissector uses SQLite directly" % where(m.start()))
    for m in re.finditer(r"\b(\w+)\s*\(", s):
        name, i = m.group(1), m.end() - 1
        if name in SINKS:
            args = call_args(s, i)
            if not args or len(args) < 2 or re.search(r"\b(const|char|struct|int)\b", args[0]):
                continue  # a definition or prototype
            a = args[1]
            built = re.search(r"\b%s\s*=\s*\w+\.s\s*;" % re.escape(a), func_body(s, i)) if re.fullmatch(r"\w+", a) else None
            if not literal_sql(a, consts) and a not in SQL_VARS and not built:
                errors.append("%s: %s(...) runs SQL text %r that is neither a literal nor allow-listed"
                              % (where(m.start()), name, a))
        elif name == "rp_sb_add":
            args = call_args(s, i)
            if not args or len(args) < 2 or re.search(r"\b(const|char|struct)\b", args[0]):
                continue
            a = args[1]
            if not (literal_text(a) is not None or a in SQL_FMT_ARGS or
                    (re.fullmatch(r"\w+", a) and numeric_buffer(s, m.start(), a))):
                errors.append("%s: rp_sb_add appends %r to SQL: not a literal, an allow-listed constant"
                              " or a buffer of numbers" % (where(m.start()), a))
        elif name in ("snprintf", "sprintf"):
            args = call_args(s, i)
            fi = 2 if name == "snprintf" else 1
            if not args or len(args) <= fi:
                continue
            fmt = literal_text(args[fi])
            dest_sql = args[0] == "sql"
            if fmt is None:
                if dest_sql:
                    errors.append("%s: the SQL buffer is formatted with a non-literal format" % where(m.start()))
                continue
            if not (SQLKW.search(fmt) or dest_sql):
                continue
            if dest_sql and not SQLKW.search(fmt):
                errors.append("%s: the SQL buffer gets a format without SQL: %r" % (where(m.start()), fmt))
            convs = CONV.findall(fmt)
            vals = args[fi + 1:]
            k = 0
            for c in convs:
                if c == "%":
                    continue
                v = vals[k] if k < len(vals) else "?"
                k += 1
                if c in "sc" and v not in SQL_FMT_ARGS:
                    errors.append("%s: SQL format %%%s takes %r, not an allow-listed constant"
                                  % (where(m.start()), c, v))


for top in sys.argv[1:]:
    for dp, _, fs in os.walk(top):
        for f in sorted(fs):
            if f.endswith(".c"):
                p = os.path.join(dp, f)
                check_file(p, open(p, encoding="utf-8", errors="replace").read())
for e in errors:
    print(e)
PY

# ---- self-test: each kind of violation is caught ----
mkdir -p "$T_TMP/bad/src" "$T_TMP/bad/dissectors"
cat >"$T_TMP/bad/src/bad.c" <<'EOF'
static const char c_sql[] = "SELECT 1"
	" FROM x";
static void f(sqlite3 *db, const char *sni, struct store *s)
{
	char sql[256], buf[64], *m, *text;
	snprintf(sql, sizeof(sql), "SELECT * FROM tls WHERE sni = '%s'", sni);
	m = sqlite3_mprintf("DELETE FROM flows WHERE user = %Q", sni);
	sqlite3_exec(db, sni, NULL, NULL, NULL);
	store_query(s, m, NULL, 0, cb, NULL);
	snprintf(sql, sizeof(sql), "%s", sni);
	snprintf(sql, sizeof(sql), "SELECT %d FROM x", 3); /* fine */
	snprintf(buf, sizeof(buf), "%s", sni);
	rp_sb_add(&b, buf);
	rp_sb_add(&b, sni);
	snprintf(buf, sizeof(buf), ") THEN %llu", 1ULL); /* fine */
	rp_sb_add(&b, buf); /* fine */
	text = b.s;
	store_query_rows(s, text, NULL, 0, cb, NULL); /* fine */
	sqlite3_prepare_v2(db, "SELECT 1 FROM x WHERE a = ?1", -1, &q, NULL); /* fine */
	q_exec(rep, c_sql); /* fine */
	q_exec(rep, getenv("X") ? "PRAGMA a = 1" : "PRAGMA a"); /* fine */
	q_exec(rep, getenv("X") ? sni : "PRAGMA a");
}
EOF
echo 'static int p(void) { return sqlite3_changes(db); }' >"$T_TMP/bad/dissectors/x.c"
python3 "$T_TMP/check.py" "$T_TMP/bad/src" "$T_TMP/bad/dissectors" >"$T_TMP/bad.out"
t_is "$(sed 's/^[^ ]*:[0-9]*: //' "$T_TMP/bad.out" | cut -c1-40 | sort)" "$(sort <<'EOF'
SQL format %s takes 'sni', not an allow-
a dissector uses SQLite directly
rp_sb_add appends 'buf' to SQL: not a li
rp_sb_add appends 'sni' to SQL: not a li
q_exec(...) runs SQL text 'getenv("X") ?
sqlite3_exec(...) runs SQL text 'sni' th
sqlite3_mprintf builds SQL text from val
store_query(...) runs SQL text 'm' that 
the SQL buffer gets a format without SQL
SQL format %s takes 'sni', not an allow-
EOF
)" "self-test: the check finds the eight kinds of violation in a bad file"

# ---- the tree ----
python3 "$T_TMP/check.py" "$SRCDIR/src" "$SRCDIR/dissectors" >"$T_TMP/tree.out"
t_is "$(cat "$T_TMP/tree.out")" "" "src/ and dissectors/: SQL text from literals and allow-listed constants only"
sed 's/^/# /' "$T_TMP/tree.out"
# ---- the report's SQL is plain SQL (issue 12: PostgreSQL can run it too):
# no SQLite-only function or syntax in the string literals of src/report,
# except the JSON reading of a baseline file on its own connection
# (store_json_query) and the backend hooks of store.h (STORE_SQL_NO_FLATTEN,
# the functions registered with store_add_function) ----
cat >"$T_TMP/dialect.py" <<'PY'
import re, sys
BAD = [(r"\bjson_\w+\s*\(", "SQLite JSON function"), (r"\bgroup_concat\s*\(", "group_concat (PostgreSQL has string_agg)"),
       (r"\bINSERT\s+OR\s+\w+", "INSERT OR ... (use ON CONFLICT)"), (r"\bLIMIT\s+-1\b", "LIMIT -1 (STORE_SQL_NO_FLATTEN)"),
       (r"\b(ifnull|iif|printf|strftime|julianday|unixepoch|instr|typeof)\s*\(", "SQLite-only function"),
       (r"\bGLOB\b", "GLOB"), (r"\bWITHOUT\s+ROWID\b", "WITHOUT ROWID"), (r"\bAUTOINCREMENT\b", "AUTOINCREMENT"),
       (r"\bIS\s+(?!NULL\b|NOT\b|DISTINCT\b|TRUE\b|FALSE\b)[\w.(]", "IS between values (IS NOT DISTINCT FROM)")]
out = []
for path in sys.argv[1:]:
    s = open(path, encoding="utf-8").read()
    s = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), s, flags=re.S)
    # the arguments of store_json_query calls (balanced parentheses; no
    # parenthesis inside their literals) are blanked, keeping line numbers
    for m in reversed(list(re.finditer(r"\bstore_json_query\s*\(", s))):
        depth, j = 0, m.end() - 1
        while j < len(s):
            depth += {"(": 1, ")": -1}.get(s[j], 0)
            if depth == 0:
                break
            j += 1
        s = s[:m.start()] + "\n" * s.count("\n", m.start(), j) + s[j + 1:]
    for m in re.finditer(r'"((?:[^"\\\n]|\\.)*)"', s):
        lit = m.group(1)
        if not re.search(r"\b(SELECT|INSERT|CREATE|FROM|WHERE|CASE|JOIN)\b", lit) and not re.search(r"\bIS\b", lit):
            continue
        for pat, why in BAD:
            if re.search(pat, lit):
                out.append("%s:%d: %s: %s" % (path, s.count("\n", 0, m.start()) + 1, why, lit.strip()[:60]))
print("\n".join(out))
PY
printf '%s\n' 'static const char a[] = "SELECT group_concat(x) FROM t WHERE a IS b";' \
	'static const char b[] = "INSERT OR IGNORE INTO t SELECT json_extract(x, 1) FROM y LIMIT -1";' \
	'static const char c[] = "SELECT 1 FROM t WHERE a IS NOT DISTINCT FROM b AND c IS NULL";' \
	'int f(void) { return store_json_query(t, "SELECT json_extract(?1, 1)", cb, 0); }' >"$T_TMP/dialect-bad.c"
t_is "$(python3 "$T_TMP/dialect.py" "$T_TMP/dialect-bad.c" | sed 's/^[^ ]*: //; s/:.*//' | sort | tr '\n' ';')" \
	"INSERT OR ... (use ON CONFLICT);IS between values (IS NOT DISTINCT FROM);LIMIT -1 (STORE_SQL_NO_FLATTEN);SQLite JSON function;group_concat (PostgreSQL has string_agg);" \
	"self-test: the dialect check finds SQLite-only SQL, and leaves plain SQL and the baseline's JSON alone"
python3 "$T_TMP/dialect.py" "$SRCDIR"/src/report/*.c >"$T_TMP/dialect.out"
t_is "$(cat "$T_TMP/dialect.out")" "" "src/report: plain SQL only (backend hooks apart)"
sed 's/^/# /' "$T_TMP/dialect.out"

# the sinks are really there (the check is not looking at nothing)
t_ok $([ "$(cat "$SRCDIR"/src/store/store.c "$SRCDIR"/src/report/*.c | grep -c -E '\b(sqlite3_prepare_v[23]|sqlite3_exec|rp_q_exec|rp_q|store_query|store_query_rows)\s*\(')" -ge 20 ] && echo 0 || echo 1) \
	"at least 20 SQL call sites checked"
t_done
