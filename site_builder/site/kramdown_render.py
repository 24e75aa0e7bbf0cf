"""markdown-it's renderInline and renderToken, the same HTML with fewer calls.

markdown-it writes each token of a paragraph through a rule or renderToken, a
Python call or three each (renderToken, renderAttrs, attrItems, escapeHtml per
attribute): for Jekyll's docs' 36,000 inline tokens and 24,000 block tags, a tenth
of the Markdown time. Here the common tokens are written in the loop itself:

- a text (our `text` rule: kramdown's escaping) without `&`: its `<` and `>`
  escaped, as html.escape(quote=False) escapes them when there is no `&`;
- inline code without attributes (our `code_inline` rule), the same way;
- a token no rule renders (emphasis, links): its tag and attributes as renderToken
  writes them.

Anything else goes to its rule as before, so the output is the same bytes.
"""

from __future__ import annotations

from types import MethodType

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML

from site_builder.site import kramdown

CODE_OPEN = '<code class="language-plaintext highlighter-rouge">'


def install(md: MarkdownIt) -> None:
    """Our loops in place of the renderer's own (a renderer of markdown-it's class
    only: another may write other HTML)."""
    renderer = md.renderer
    if type(renderer) is RendererHTML and not vars(renderer).keys() & {"renderInline", "renderToken", "renderAttrs"}:
        renderer.renderInline = MethodType(render_inline, renderer)
        renderer.renderToken = MethodType(render_token, renderer)


def render_inline(self, tokens, options, env) -> str:  # noqa: ANN001 (markdown-it's signature)
    """RendererHTML.renderInline: each token's rule, else renderToken."""
    rules = self.rules
    # (add_render_rule binds each rule to the renderer)
    own_text = getattr(rules.get("text"), "__func__", None) is kramdown.RULES["text"]
    own_code = getattr(rules.get("code_inline"), "__func__", None) is kramdown.code_inline
    out: list[str] = []
    append = out.append
    for i, token in enumerate(tokens):
        kind = token.type
        if kind == "text" and own_text:
            text = token.content
            if "&" in text:   # (kramdown leaves some entity references as they are)
                append(kramdown._escaped_text(tokens, i))
            elif "<" in text or ">" in text:
                append(text.replace("<", "&lt;").replace(">", "&gt;"))
            else:
                append(text)
        elif kind in rules:
            if kind == "code_inline" and own_code and not token.attrs:
                append(CODE_OPEN + token.content.replace("&", "&amp;").replace("<", "&lt;")
                       .replace(">", "&gt;") + "</code>")
            else:
                append(rules[kind](tokens, i, options, env))
        elif token.block or token.hidden:
            append(self.renderToken(tokens, i, options, env))
        elif token.nesting == -1 and not token.attrs:   # (_tag's, in line: every closing tag)
            append("</" + token.tag + ">")
        else:
            append(_tag(token, options) + ">")
    return "".join(out)


def render_token(self, tokens, idx, options, env) -> str:  # noqa: ANN001
    """RendererHTML.renderToken: a token's tag, its attributes, and a line break
    after a block's tag but where an inline token, a hidden one or its own closing
    tag follows; a line break before a block's opening tag after a hidden one."""
    token = tokens[idx]
    if token.hidden:
        return ""
    nesting = token.nesting
    tag = _tag(token, options)
    if not token.block:
        return tag + ">"
    if nesting != -1 and idx and tokens[idx - 1].hidden:
        tag = "\n" + tag
    if nesting == 1 and idx + 1 < len(tokens):
        following = tokens[idx + 1]
        if following.type == "inline" or following.hidden \
                or following.nesting == -1 and following.tag == token.tag:
            return tag + ">"
    return tag + ">\n"


def _tag(token, options) -> str:  # noqa: ANN001
    """A token's tag and attributes, without its closing `>`."""
    tag = ("</" if token.nesting == -1 else "<") + token.tag
    if token.attrs:
        tag += _attributes(token.attrs)
    if token.nesting == 0 and options["xhtmlOut"]:
        tag += " /"
    return tag


# Attribute names escapeHtml leaves as they are.
PLAIN_NAMES = frozenset(("href", "title", "id", "class", "src", "alt", "target", "rel"))


def _attributes(attrs: dict) -> str:
    """RendererHTML.renderAttrs: each name and value escaped by escapeHtml (its four
    replacements, here in line)."""
    written = ""
    for name, value in attrs.items():
        if type(value) is not str:
            value = str(value)
        written += (" " + (name if name in PLAIN_NAMES else escapeHtml(name)) + '="'
                    + value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                    .replace('"', "&quot;") + '"')
    return written
