"""Runs -> a Jekyll post, from `site_builder/templates/post.md.j2`.

A post covers one run or several, in the example post's order: the author's
introduction, what was asked, what the job cost (across runs: the ratios of their
figures and what differs that may explain them), the players, a table of every item
with its figures, pictures and the author's note, the author's listening notes and
conclusion, then how to reproduce it (as recorded when the samples were made).
Everything comes from the runs' outputs and the author's notes files.

A post's date and file name are its first generation's and stay; its front matter
lists its runs (so `make posts` regenerates it with no arguments) and a hash of the
generated text, so a hand edit is detected and a regeneration refuses to overwrite
it without FORCE. The author's words live in `runs/<run>/notes.md` (and, for a post
over several runs, in `notes/<slug>.md`) and are copied in verbatim every time.

    notes     notes.md and notes/<slug>.md: read, and their templates written once
    runs      one run's part of a post, and whether the run is finished
    compare   the sentences across runs
    files     render, find, check and write post files
    embeds    fix-embeds: archive.org /details/ iframes -> the /embed/ player
"""

from site_builder.posts.files import (HASH_KEY, edited_by_hand, find_post, generated_posts,
                                      post_file, regenerate_all, render, read_front_matter, text_hash,
                                      write_post)
from site_builder.posts.notes import ensure_notes, find_in_notes, read_notes
from site_builder.posts.runs import missing_stage, require_finished

__all__ = ["HASH_KEY", "edited_by_hand", "ensure_notes", "find_in_notes", "find_post",
           "generated_posts", "post_file",
           "missing_stage", "read_notes", "regenerate_all", "render", "require_finished",
           "read_front_matter", "text_hash", "write_post"]
