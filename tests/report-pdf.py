# SPDX-License-Identifier: BSD-3-Clause
# report-pdf.py NAME HTML PDF.txt PDF.bbox — the clipping checks of
# tests/report-pdf.sh on one printed report. PDF.txt is `pdftotext -raw`
# (content order: the lines of a wrapped cell stay together), PDF.bbox is
# `pdftotext -bbox` (each word's box per page). Prints "OK msg" / "FAIL msg"
# per check, "# ..." diagnostics, and the number of repeated table header
# rows as "REPEATS n".
import collections
import re
import sys
from html.parser import HTMLParser

# The @page margins of the print stylesheet (out_html.c), in points, less a
# point of slack for glyph boxes that reach past their line box.
MARGIN_X = 12 / 25.4 * 72 - 1
MARGIN_Y = 12 / 25.4 * 72 - 1


def squash(s):
	return re.sub(r"\s+", "", s).lower()


class Report(HTMLParser):
	"""The visible text of the page; the text of each table cell; the header
	row of each table; the finding kinds and server endpoints of the
	findings tables (class "findings": column 2's <b>, column 3's first
	line)."""

	def __init__(self):
		super().__init__(convert_charrefs=True)
		self.skip = 0
		self.text = []
		self.cells = []
		self.heads = []
		self.kinds = []
		self.servers = []
		self.cell = None
		self.head = None
		self.findings = []  # stack: is the enclosing table a findings table
		self.col = 0
		self.inb = False
		self.srv = None
		self.ol = []  # stack: items so far of each enclosing <ol> (None: <ul>)

	def handle_starttag(self, tag, attrs):
		a = dict(attrs)
		self.cut()
		if tag in ("style", "title", "script"):
			self.skip += 1
		elif tag == "table":
			self.findings.append("findings" in (a.get("class") or "").split())
		elif tag == "thead":
			self.head = []
		elif tag in ("ol", "ul"):
			self.ol.append(0 if tag == "ol" else None)
		elif tag == "li" and self.ol and self.ol[-1] is not None:
			# the browser numbers an ordered list's items: "1." is printed
			self.ol[-1] += 1
			self.text.append("%d. " % self.ol[-1])
		elif tag == "tr":
			self.col = 0
		elif tag in ("td", "th"):
			self.col += 1
			self.cell = []
			if self.findings and self.findings[-1] and tag == "td" and self.col == 3:
				self.srv = []
		elif tag == "b":
			self.inb = True
		elif tag == "br" and self.srv is not None:
			self.servers.append("".join(self.srv).strip())
			self.srv = None

	def cut(self):
		"""An element's edge ends a word of a cell: a row split over two
		pages may part the lines of a cell (<br>) or its elements."""
		if self.cell is not None:
			self.cell.append(" ")

	def handle_endtag(self, tag):
		self.cut()
		if tag in ("style", "title", "script"):
			self.skip -= 1
		elif tag == "table":
			self.findings.pop()
		elif tag in ("ol", "ul") and self.ol:
			self.ol.pop()
		elif tag == "thead":
			self.heads.append(" ".join(self.head))
			self.head = None
		elif tag in ("td", "th"):
			self.cells.append("".join(self.cell))
			if self.head is not None:
				self.head.append("".join(self.cell))
			self.cell = None
			self.srv = None
		elif tag == "b":
			self.inb = False

	def handle_data(self, d):
		if self.skip:
			return
		self.text.append(d)
		if self.cell is not None:
			self.cell.append(d)
		if self.srv is not None:
			self.srv.append(d)
		if self.inb and self.findings and self.findings[-1] and self.col == 2:
			self.kinds.append(d)


def overlaps(bbox):
	"""Pairs of words whose boxes overlap on a page: text run out of a
	narrow cell into its neighbour's (a badge, a number). The boxes are
	shrunk by a point: the lines of a paragraph may touch."""
	d = 1.0
	bad = []
	for pn, pg in enumerate(re.split(r"<page ", bbox)[1:], 1):
		ws = sorted(((float(m.group(1)), float(m.group(2)), float(m.group(3)), float(m.group(4)), m.group(5))
			     for m in re.finditer(r'<word xMin="([-\d.]+)" yMin="([-\d.]+)" xMax="([-\d.]+)" '
						  r'yMax="([-\d.]+)">([^<]*)<', pg)), key=lambda w: w[1])
		for i, a in enumerate(ws):
			for c in ws[i + 1:]:
				if c[1] >= a[3] - d:
					break
				if c[0] < a[2] - d and a[0] < c[2] - d:
					bad.append("page %d: %s / %s" % (pn, a[4], c[4]))
	return bad


def say(ok, msg):
	print(("OK " if ok else "FAIL ") + msg)


def main():
	name, html, txt, bbox = sys.argv[1:5]
	rep = Report()
	with open(html, encoding="utf-8") as f:
		rep.feed(f.read())
	with open(txt, encoding="utf-8") as f:
		pdf = squash(f.read())
	page = squash("".join(rep.text))

	# every word on its page, inside the margins
	with open(bbox, encoding="utf-8") as f:
		b = f.read()
	out = []
	nwords = 0
	for pg in re.split(r"<page ", b)[1:]:
		w, h = map(float, re.match(r'width="([\d.]+)" height="([\d.]+)"', pg).groups())
		for m in re.finditer(r'<word xMin="([-\d.]+)" yMin="([-\d.]+)" xMax="([-\d.]+)" yMax="([-\d.]+)">([^<]*)<', pg):
			x0, y0, x1, y1 = map(float, m.groups()[:4])
			nwords += 1
			if x0 < MARGIN_X or y0 < MARGIN_Y or x1 > w - MARGIN_X or y1 > h - MARGIN_Y:
				out.append("%s (%.1f,%.1f)-(%.1f,%.1f) on %gx%g" % (m.group(5), x0, y0, x1, y1, w, h))
	for o in out[:5]:
		print("#   outside: " + o)
	say(nwords > 100 and not out, "%s: all %d words inside the page's margins (%d outside)" % (name, nwords, len(out)))
	over = overlaps(b)
	for o in over[:5]:
		print("#   overlap: " + o)
	say(not over, "%s: no two words overlap (%d pairs)" % (name, len(over)))

	# characters: the PDF's, less the repeated header rows, equal the page's
	have = collections.Counter(pdf)
	repeats = 0
	for hd in sorted(set(rep.heads)):
		h = squash(hd)
		extra = pdf.count(h) - page.count(h)
		if extra > 0:
			repeats += extra
			for _ in range(extra):
				have.subtract(collections.Counter(h))
	want = collections.Counter(page)
	missing = want - have
	surplus = have - want
	if missing:
		print("#   missing characters: %s" % dict(missing.most_common(20)))
	if surplus:
		print("#   surplus characters: %s" % dict(surplus.most_common(20)))
	say(not missing and not surplus and len(page) > 1000,
	    "%s: the PDF's %d characters are the HTML's (%d missing, %d surplus; %d header rows repeated)"
	    % (name, len(pdf), sum(missing.values()), sum(surplus.values()), repeats))
	print("REPEATS %d" % repeats)

	# the tables' words, endpoints and kinds, as often as in the HTML
	def lost(strings):
		bad = []
		# (strings under 3 characters, such as a count "11", also occur across
		# the joints of the squashed text, so their counts say nothing)
		for s in sorted(set(squash(x) for x in strings if len(squash(x)) >= 3)):
			if pdf.count(s) < page.count(s):
				bad.append(s)
		return bad

	words = [w for c in rep.cells for w in c.split()]
	for label, strings in (("table cell words", words), ("server endpoints", rep.servers),
			       ("finding kinds", rep.kinds)):
		bad = lost(strings)
		for s in bad[:5]:
			print("#   %s: %s: %d in the HTML, %d in the PDF" % (label, s, page.count(s), pdf.count(s)))
		say(not bad and len(strings) > 0,
		    "%s: %d distinct %s all in the PDF (%d short)" % (name, len(set(strings)), label, len(bad)))


main()
