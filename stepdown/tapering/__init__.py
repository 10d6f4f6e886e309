"""Taper tools: drug catalogue, dose equivalence and the taper plan generator.

Plain Python with no Django imports, so the generator can be tested and reasoned about on its
own; the Django app, views and pages build on these modules.

- ``catalogue``: the drug catalogue (``catalogue.json``) with sources, loaded and validated.
- ``equivalence``: approximate diazepam equivalents and conversions, as ranges across sources.
- ``schedule``: the plan generator (``build_plan``), with its request and result types.
- ``supply``: tablets, capsules and liquids, and which doses they can make.
- ``errors``: the exceptions, with messages written for members.

Everything here is a community tool, not medical advice: every figure carries its source, and
every plan tells the member to discuss changes with a prescriber.
"""
