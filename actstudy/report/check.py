"""Scan rendered HTML reports for classes of presentation defects.

    python -m actstudy.report.check reports

Each check reads one rendered page (nbconvert's lab template) and returns one message per
defect, naming the report, the table (its caption, else the heading above it; always its
position) and the offending column, cell or value. The checks, and why:

1. **Rows that cannot be identified.** A table of two or more body rows must say what each
   row is about: a row header (``<th>`` in the body), or a *label* column (every cell
   non-empty and not numeric-looking) or, failing that, a first column of distinct bare
   numbers that is not a rank (a seed, a depth); and the rows must be unique over the *key*
   columns (the label columns and the columns of bare settings such as ``0.01`` or
   ``2 turns``). A numeric-looking cell starts with a number, percentage, ratio or interval
   (``0.95 [0.94, 0.96]``, ``1.5×``, ``1 [1, 4], tier 1``, ``0.03 (highest tried)``) or is
   ``n/a``. A ranking rendered with its index hidden (only ranks and accuracies) fails: a
   reader cannot tell which activation a row is. The provenance tables are skipped.
2. **An interval bound outside its quantity's range.** A cell ``M [L, H]`` (units ``%``,
   ``×`` or `` pp``) under a header naming an accuracy, share, fraction, success rate,
   inactive, dead or zero units must lie in [0, 1], or in [0, 100] when the header or the
   cell says ``%`` or an estimate in the column is above 1 (accuracies printed as
   percentages); a ratio (``×``) must be above 0; an MSE, loss, error, time, norm or
   ``|x|`` at least 0. Differences (``pp``) are not bounded. A bound outside the range is
   an interval computed on the wrong scale (a normal interval where a bounded one was
   needed).
3. **Scientific notation for an ordinary number.** A value between 0.01 and 1000 written as
   ``6.1e-01`` anywhere in the visible text (not in scripts, styles, comments or images) is
   harder to read and compare than ``0.61``. One message per table column, or per paragraph
   or block of text outside tables.
4. **An empty column.** A column whose body cells are all blank says nothing and takes room.
5. **Printed output.** A stdout (or stderr) block, the text of ``print``, is raw console
   output where the report should show a table or a sentence of its own; nbconvert's lab
   template renders it as a ``jp-OutputArea-output`` with ``data-mime-type="text/plain"``
   outside an execute result (a displayed plain-text object looks the same and counts too),
   and stderr with ``data-mime-type="application/vnd.jupyter.stderr"``.
6. **A negative zero.** ``-0.00`` or ``−0%`` anywhere in the visible text: a value rounded
   to zero that kept its sign reads as a negative number that is not there.

What these checks cannot see: whether a number agrees with the figure or sentence beside
it, ties shown with different ranks, or an interval cut at its bound (the tables' own
helper cuts intervals at their quantity's bounds, so check 2 catches an interval written
without it).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from bs4 import BeautifulSoup, Comment

__all__ = ["defects", "check_folder", "main"]

MINUS = "\u2212"
NUMBER = r"[−+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][−+-]?\d+)?"
# A cell that starts with a number, percentage, ratio or interval (whatever words follow).
NUMERIC_LOOKING = re.compile(rf"^\s*(?:[≥≤<>~≈]\s*)?(?:{NUMBER}|\[\s*{NUMBER})|^\s*n/a\s*$")
# A bare setting: a number, perhaps with a word or a note after it, but no interval.
SETTING = re.compile(rf"^\s*{NUMBER}(?:[\s%(][^\[\]]*)?$")
BARE_NUMBER = re.compile(rf"^\s*{NUMBER}\s*$")
UNIT = r"\s*(%|×|\s?pp)?"
INTERVAL = re.compile(
    rf"^\s*({NUMBER}){UNIT}\s*\[\s*({NUMBER}){UNIT}\s*,\s*({NUMBER}){UNIT}\s*\]{UNIT}"
)
SCIENTIFIC = re.compile(r"(?<![\w.])[−+-]?\d+(?:\.\d+)?[eE][−+-]?\d+(?![\w.])")
UNIT_INTERVAL_WORDS = ("accuracy", "share", "fraction", "success", "inactive", "dead", "zero")
# Header words of a quantity that cannot be negative; |x| and ||x|| are too.
NON_NEGATIVE = re.compile(r"\bmse\b|\bloss|\berror|\btimes?\b|\bseconds?\b|\bnorms?\b|\|")
PROVENANCE = "actstudy-provenance"
STREAM_MIMES = ("text/plain", "application/vnd.jupyter.stderr")
RESULT = "jp-OutputArea-executeResult"  # on the output's own div and on its parent
TEXT_BLOCKS = ["p", "li", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "summary", "dt", "dd",
               "blockquote", "div"]


def _number(text: str) -> float:
    """A number as the reports write it, with U+2212 as a minus sign."""
    return float(text.replace(MINUS, "-"))


def _text(element) -> str:
    """The element's visible text, whitespace collapsed, without the heading's pilcrow."""
    return " ".join(element.get_text(" ").replace("¶", " ").split())


def _grid(rows) -> list[list[str]]:
    """The cells' texts of these ``<tr>`` rows, colspan and rowspan spread over the grid.

    By hand: ``pandas.read_html`` does this but needs lxml or html5lib, neither of which the
    project installs, and it would lose the ``<tr>`` elements the messages point at."""
    grid: list[list[str]] = []
    pending: dict[tuple[int, int], str] = {}
    for r, row in enumerate(rows):
        line: list[str] = []
        for cell in row.find_all(["td", "th"], recursive=False):
            while (r, len(line)) in pending:
                line.append(pending.pop((r, len(line))))
            text = _text(cell)
            span, down = int(cell.get("colspan", 1) or 1), int(cell.get("rowspan", 1) or 1)
            for _ in range(span):
                for below in range(1, down):
                    pending[(r + below, len(line))] = text
                line.append(text)
        while (r, len(line)) in pending:
            line.append(pending.pop((r, len(line))))
        grid.append(line)
    return grid


class Table:
    """One ``<table>``: its name for messages, its column headers and its body's cells."""

    def __init__(self, element, position: int):
        self.element = element
        rows = [row for row in element.find_all("tr") if row.find_parent("table") is element]
        head = [row for row in rows if row.find_parent("thead") is not None]
        if not head:  # no <thead>: the leading rows of <th> cells are the header
            for row in rows:
                if row.find("td") is not None:
                    break
                head.append(row)
        self.body_rows = [row for row in rows if row not in head]
        self.body = _grid(self.body_rows)
        width = max((len(line) for line in self.body), default=0)
        levels = [line + [""] * (width - len(line)) for line in _grid(head)]
        self.headers = []
        for column in range(width):
            parts = [level[column] for level in levels if level[column]]
            self.headers.append(" / ".join(dict.fromkeys(parts)))
        self.name = f"table {position}"
        caption = element.find("caption")
        heading = element.find_previous(re.compile(r"^h[1-6]$"))
        title = _text(caption) if caption else _text(heading) if heading else ""
        if title:
            self.name += f' "{title[:80]}"'
        self.provenance = element.find_parent(class_=PROVENANCE) is not None

    def column(self, index: int) -> list[str]:
        """The body's cells in this column ("" where a row is short)."""
        return [line[index] if index < len(line) else "" for line in self.body]

    def header(self, index: int) -> str:
        """The column's header for messages: its text, else its position."""
        return f'"{self.headers[index]}"' if self.headers[index] else f"#{index + 1}"

    def row_label(self, row: int) -> str:
        """The row for messages: its first cell's text, else its position."""
        first = self.body[row][0] if self.body[row] else ""
        return f'"{first[:40]}"' if first else f"#{row + 1}"


def _tables(soup) -> list[Table]:
    """Every table of the page, numbered from 1 in the page's order."""
    return [Table(element, i) for i, element in enumerate(soup.find_all("table"), start=1)]


def _is_label(cells: list[str]) -> bool:
    """Every cell says something, and not a number."""
    return all(cell and not NUMERIC_LOOKING.match(cell) for cell in cells)


def _unidentified_rows(table: Table) -> list[str]:
    """Check 1: the table's rows cannot be told apart by what they are about."""
    if table.provenance or len(table.body) < 2 or not table.headers:
        return []
    if any(row.find("th") is not None for row in table.body_rows):
        return []
    columns = [table.column(i) for i in range(len(table.headers))]
    # a column headed "#" or "id" (3a, 3b, ...) names its rows, though its cells start with digits
    labels = [i for i, cells in enumerate(columns)
              if _is_label(cells) or table.headers[i].strip().lower() in ("#", "id", "row")]
    settings = [i for i, cells in enumerate(columns)
                if i not in labels and all(SETTING.match(cell) for cell in cells)]
    first_is_key = (
        "rank" not in table.headers[0].lower()
        and all(BARE_NUMBER.match(cell) for cell in columns[0])
        and len(set(columns[0])) == len(columns[0])
    )
    if not labels and not first_is_key:
        shown = ", ".join(table.header(i) for i in range(len(columns)))
        return [f"{table.name}: no column says what a row is (columns: {shown})"]
    keys = labels + settings
    seen: dict[tuple, int] = {}
    for row, line in enumerate(table.body):
        key = tuple(line[i] if i < len(line) else "" for i in keys)
        if key in seen:
            named = ", ".join(table.header(i) for i in keys)
            return [f"{table.name}: rows {seen[key] + 1} and {row + 1} are the same over "
                    f"the columns that say what a row is ({named}): {' | '.join(key)}"]
        seen[key] = row
    return []


def _units(match) -> set[str]:
    """The units written in one interval cell: "%", "×" or "pp"."""
    return {unit.strip() for unit in match.group(2, 4, 6, 7) if unit}


def _range(header: str, units: set[str], percent: bool) -> tuple[float, float] | None:
    """The range one cell's quantity can take, from its column's header and its units.

    ``percent``: the column is on the percent scale (its header says %, or an estimate in
    it is above 1).
    """
    lowered = header.lower()
    if "pp" in units or re.search(r"\bpp\b", lowered):
        return None
    if "×" in units:
        return (0.0, float("inf"))
    if any(word in lowered for word in UNIT_INTERVAL_WORDS):
        return (0.0, 100.0) if percent or "%" in units else (0.0, 1.0)
    if NON_NEGATIVE.search(lowered):
        return (0.0, float("inf"))
    return None


def _bounds(table: Table) -> list[str]:
    """Check 2: an interval's bound outside the range its quantity can take."""
    found = []
    for index, header in enumerate(table.headers):
        parsed = [(row, INTERVAL.match(cell)) for row, cell in enumerate(table.column(index))]
        parsed = [(row, match) for row, match in parsed if match]
        plain = [_number(m.group(1)) for _, m in parsed if not _units(m) & {"×", "pp"}]
        percent = "%" in re.sub(r"\d+\s*%", "", header) or any(m > 1 for m in plain)
        for row, match in parsed:
            units = _units(match)
            allowed = _range(header, units, percent)
            if allowed is None:
                continue
            low, high = allowed
            open_below = "×" in units  # a ratio is above 0, not merely at least 0
            lower, upper = _number(match.group(3)), _number(match.group(5))
            if lower < low or (open_below and lower == low) or upper > high:
                shown = "(0, ∞)" if open_below else f"[{low:g}, {high:g}]"
                found.append(f"{table.name}, column {table.header(index)}, row "
                             f"{table.row_label(row)}: {match.group(0).strip()} has a bound "
                             f"outside {shown}")
    return found


def _scientific_values(text: str) -> list[str]:
    """The tokens in scientific notation whose value lies between 0.01 and 1000."""
    return [token for token in SCIENTIFIC.findall(text) if 0.01 <= abs(_number(token)) <= 1000]


def _scientific(soup, tables: list[Table]) -> list[str]:
    """Check 3: ordinary numbers written in scientific notation, by column or text block."""
    found = []
    for table in tables:
        for index in range(len(table.headers)):
            hits = [(row, value) for row, cell in enumerate(table.column(index))
                    for value in _scientific_values(cell)]
            if hits:
                row, value = hits[0]
                found.append(f"{table.name}, column {table.header(index)}: {len(hits)} "
                             f"value(s) between 0.01 and 1000 in scientific notation, e.g. "
                             f"{value} (row {table.row_label(row)})")
    in_columns = {id(row) for table in tables for row in table.body_rows}
    blocks: dict[int, tuple] = {}
    for string in soup.find_all(string=SCIENTIFIC):
        if isinstance(string, Comment) or id(string.find_parent("tr")) in in_columns:
            continue
        if _scientific_values(string):
            block = string.find_parent(TEXT_BLOCKS) or string.parent
            blocks.setdefault(id(block), (block, []))[1].extend(_scientific_values(string))
    for block, values in blocks.values():
        heading = block.find_previous(re.compile(r"^h[1-6]$"))
        where = f' under "{_text(heading)[:60]}"' if heading else ""
        found.append(f"text{where}: {', '.join(values)} in scientific notation "
                     f'("{_text(block)[:80]}")')
    return found


# A zero written with a minus sign ("-0.00", "−0%"): the value rounded to zero, its sign not.
NEGATIVE_ZERO = re.compile(r"(?<![\w.])[-\u2212]0(?:\.0+)?(?![\d.]|e[-+\u2212]?\d)")


def _negative_zero(soup) -> list[str]:
    """Check 6: a negative zero anywhere in the visible text, once per text block."""
    found, seen = [], set()
    for string in soup.find_all(string=NEGATIVE_ZERO):
        if isinstance(string, Comment):
            continue
        block = string.find_parent(TEXT_BLOCKS + ["td", "th"]) or string.parent
        if id(block) not in seen:
            seen.add(id(block))
            found.append(f'a negative zero ("{NEGATIVE_ZERO.search(string).group()}") in '
                         f'"{_text(block)[:80]}"')
    return found


def _empty_columns(table: Table) -> list[str]:
    """Check 4: a column whose body cells are all blank."""
    if not table.body:
        return []
    return [f"{table.name}: column {table.header(i)} is empty"
            for i in range(len(table.headers)) if not any(table.column(i))]


def _stdout(soup) -> list[str]:
    """Check 5: printed (stdout or stderr) output blocks."""
    found = []
    for block in soup.find_all(class_="jp-OutputArea-output", attrs={"data-mime-type": True}):
        mime = block["data-mime-type"]
        if mime not in STREAM_MIMES or block.find_parent(class_=RESULT) is not None:
            continue
        kind = "stderr" if "stderr" in mime else "stdout"
        lines = [line for line in block.get_text().splitlines() if line.strip()]
        first = lines[0].strip()[:80] if lines else ""
        found.append(f'printed {kind} block ({len(lines)} line(s)): "{first}"')
    return found


def defects(page_html: str, name: str = "") -> list[str]:
    """One message per presentation defect found in one rendered report page."""
    soup = BeautifulSoup(page_html, "html.parser")
    for element in soup(["script", "style"]):
        element.decompose()
    tables = _tables(soup)
    found = []
    for table in tables:
        found += _unidentified_rows(table)
    for table in tables:
        found += _bounds(table)
    found += _scientific(soup, tables)
    for table in tables:
        found += _empty_columns(table)
    found += _stdout(soup)
    found += _negative_zero(soup)
    prefix = f"{name}: " if name else ""
    return [prefix + message for message in found]


def check_folder(folder) -> dict[str, list[str]]:
    """``defects`` of every ``*.html`` in the folder, keyed by file name."""
    return {path.name: defects(path.read_text(encoding="utf-8"), path.stem)
            for path in sorted(Path(folder).glob("*.html"))}


def main(argv=None) -> int:
    """Print the defects of a folder's reports; 1 if any, else 0."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m actstudy.report.check FOLDER", file=sys.stderr)
        return 2
    found = check_folder(args[0])
    messages = [message for page in found.values() for message in page]
    for message in messages:
        print(message)
    if messages:
        print(f"{len(messages)} defects in {sum(map(bool, found.values()))} of "
              f"{len(found)} reports")
        return 1
    print(f"no defects in {len(found)} reports")
    return 0


if __name__ == "__main__":
    sys.exit(main())
