"""The documents of a COPIL meeting (issue 14, items 3 and 4): the relevé de décisions circulated
after the meeting and the dossier de séance prepared for it, each in two versions.

- `documents`: what both share: their labels, addresses, file names, the meetings a version may
  show (`meeting_queryset`), the context of either (`document_context`) and the PDF rendering;
- `releve`: the relevé de décisions, `releve(meeting, public=…)`;
- `dossier`: the dossier de séance, `dossier(meeting, public=…, today=…)`.

Each returns what the templates show (`templates/pdf/_releve_body.html`, `_dossier_body.html`),
the same for the PDF and the HTML page. The public version holds only what the public pages
show: public meetings, public actions, decisions of public meetings, and figures summed over
those rows only, each flagged when it includes demonstration data (computed from the same rows).
The staff version holds everything.
"""
