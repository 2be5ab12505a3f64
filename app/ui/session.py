"""Every Streamlit session-state key of the app, declared once, in one table.

A key is namespaced by its step (`explore.rate`, `build.code`): the same string a widget's `key=`,
a test and a deep link use. Code everywhere else uses the names below (`session.BUILD_LATEST`),
never the strings (tests/unit/test_session_keys.py scans app/ for spelled-out keys).

Each entry says what the key holds, which widget owns it (if any), whose it is, and its default:
- SESSION: this browser session's; a learner who leaves does not take it along;
- LEARNER: the joined learner's work: cleared when they leave, so the next person on a shared
  classroom computer starts clean and is never credited with it;
- RESUMED: the learner's, and filled again from the database when they come back
  (`dropout_lab.ui.resume` has one restorer per RESUMED key).
A default is a factory (`dict`, `set`, `list`) for the keys code reads before anything is
written; None means the key is absent until a widget or a step sets it (its doc says which).
A Family is a set of keys with one prefix and an id: one per quiz item, question or figure.
What a key is (`Key`, `Family`, their scopes) is `ui/session_key.py`'s; the table is here.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from dropout_lab.ui.session_key import LEARNER, RESUMED, SESSION, Family, Key

# --------------------------------------------------------------------------- the table
# fmt: off
CHART, BUTTON = "plotly_chart", "button"

LESSON_VISITED = Key("lesson.visited", set[str], "", SESSION,
                     "the step ids opened in this session", set)
LESSON_VIEW = Key("lesson.view", dict, "component", SESSION,
                  'what the browser reports: {"view": {"narrow": a phone-wide screen, "dark": '
                  "the dark theme}} (ui/charts.py)")
LESSON_NEXT = Family("lesson.next.", "step id", dict, "container", SESSION,
                     "the box of a step's link to the next step (ui/state.py)")
LESSON_CHART_DATA = Family("lesson.chart_data.", "chart key", bool, "expander", SESSION,
                           "a chart's data table: its expander is open")

LEARNERS_LEARNER = Key("learners.learner", "Learner", "", LEARNER, "the joined learner, or absent")
LEARNERS_PROGRESS = Key("learners.progress", dict[str, set[str]], "", RESUMED,
                        "step id -> criteria done: a copy of what the store holds", dict)
LEARNERS_SAVED_RUNS = Key("learners.saved_runs", set[str], "", RESUMED,
                          "run keys already saved as submissions", set)
LEARNERS_LINK_TRIED = Key("learners.link_tried", tuple, "", LEARNER,
                          '("resume", code) or ("name", name, class) of the deep link last '
                          "tried; None after the form")
LEARNERS_RESUME = Key("learners.resume", str, "", LEARNER,
                      "the joined learner's resume code, kept in the address as ?resume=")
LEARNERS_CHECKED_AT = Key("learners.checked_at", float, "", LEARNER,
                          "when the resume code was last found still valid (a new one ends it)")
LEARNERS_SHOW_LINK = Key("learners.show_link", bool, "", LEARNER,
                         "show the resume link box until the learner says it is kept")
LEARNERS_KEPT = Key("learners.kept", bool, BUTTON, LEARNER, "'I have kept it': hide the link box")
LEARNERS_TAKEN = Key("learners.taken", tuple[str, str], "", LEARNER,
                     "(name, class) found taken: offer the resume code or another name")
LEARNERS_RESUME_CODE = Key("learners.resume_code", str, "text_input", LEARNER,
                           "the form's resume code (or a pasted resume link)")
LEARNERS_RESUME_GO = Key("learners.resume_go", bool, BUTTON, LEARNER, "the form's Resume button")
LEARNERS_MESSAGE = Key("learners.message", tuple[str, str, float], "", LEARNER,
                       "(kind, text, shown until: time.time()) at the top of the page")
LEARNERS_NAME = Key("learners.name", str, "text_input", LEARNER, "the join form's name")
LEARNERS_CODE = Key("learners.code", str, "text_input", LEARNER,
                    "the join form's class code: ?class=, else the lesson file's")
LEARNERS_JOIN = Key("learners.join", bool, "form_submit_button", LEARNER, "the join form's button")
LESSON_JOIN_FORM = Key("lesson.join_form", dict, "form", SESSION,
                       "the join form at the top of the page (ui/join.py)")
LESSON_JOIN_STRIP = Key("lesson.join_strip", dict, "container", SESSION,
                        "the box of the join form at the top of the page, for tests")
LEARNERS_LEAVE = Key("learners.leave", bool, BUTTON, LEARNER, "Leave: forget the learner")
LEARNERS_EXPLORE_START = Key("learners.explore_start", float, "", LEARNER,
                             "Explore's rate when first seen (criterion: the rate moved)")
LEARNERS_PREDICTIONS = Key("learners.predictions", dict[str, dict], "", RESUMED,
                            'prediction id -> {"value", "skipped"} as made (lesson/predictions.py)',
                            dict)
LEARNERS_WORK_SAVED = Key("learners.work_saved", dict[str, str], "", RESUMED,
                          "work item -> the text last stored for it (ui/work.py: only a change "
                          "is stored)", dict)
LEARNERS_PREDICT_PROBLEM = Key("learners.predict_problem", tuple[str, str], "", LEARNER,
                               "(step, text) to say once at that step's prediction form")

EXPLORE_RATE = Key("explore.rate", float, "", SESSION,
                   "dropout rate: a new ?rate=, else the live view's settled rate, else 0.3")
EXPLORE_RATE_LINK = Key("explore.rate_link", str, "", SESSION,
                        "the ?rate= text last taken from or written to the address")
EXPLORE_LIVE = Key("explore.live", dict, "component", SESSION,
                   'the live view\'s state: {"rate": the rate the browser last settled on}')
EXPLORE_SEED = Key("explore.seed", int, "number_input", SESSION, "mask seed: ?seed= once, else 0")
EXPLORE_FORM = Key("explore.form", str, "radio", SESSION, '"inverted" or "original" dropout')
EXPLORE_INFERENCE = Key("explore.inference", bool, "toggle", SESSION, "inference mode")
EXPLORE_USE_MINE = Key("explore.use_mine", bool, "toggle", LEARNER,
                       "use the learner's passing NumPy dropout (shown once it passed)")
EXPLORE_PREDICT_FORM = Key("explore.predict_form", None, "form", SESSION,
                           "the scale-factor prediction (above the live view)")
EXPLORE_PREDICT_SCALE = Key("explore.predict_scale", float, "number_input", SESSION,
                            "the predicted scale of a kept unit at p = 0.5 (None until typed)")
EXPLORE_PREDICT_CHECK = Key("explore.predict_check", bool, BUTTON, SESSION, "commit the guess")
EXPLORE_PREDICT_SKIP = Key("explore.predict_skip", bool, BUTTON, SESSION, "skip the guess")
EXPLORE_UNSCALED_FORM = Key("explore.unscaled_form", None, "form", SESSION,
                            "the 'do not divide by 1 - p' prediction (after the scale's reveal)")
EXPLORE_UNSCALED_CHOICE = Key("explore.unscaled_choice", str, "radio", SESSION,
                              "the predicted test-time input: larger, same or smaller (None first)")
EXPLORE_UNSCALED_CHECK = Key("explore.unscaled_check", bool, BUTTON, SESSION, "commit the guess")
EXPLORE_UNSCALED_SKIP = Key("explore.unscaled_skip", bool, BUTTON, SESSION, "skip the guess")

READ_SECTION = Key("read.section", str, "radio", SESSION, "the section's slug: ?section= once")
READ_SCROLL = Key("read.scroll", bool, "", SESSION,
                  "a section was chosen: the next run scrolls to its title (ui/state.scroll_here)")
READ_QUIZ_ANSWERS = Key("read.quiz_answers", dict[str, int], "", RESUMED,
                        "item id -> the first choice made; survives switching sections", dict)
READ_QUIZ_SCORE = Key("read.quiz_score", dict[str, int], "", LEARNER,
                      '{"correct", "answered", "total"} of the checks')
READ_QUIZ = Family("read.quiz.", "item id", int, "radio", LEARNER, "one unanswered check")
READ_QUIZ_ORDER = Key("read.quiz_order", str, "", LEARNER,
                      "a random id ordering the checks' choices for a learner who has not joined")
READ_RESET = Key("read.reset", bool, BUTTON, SESSION, "reset all checks")
READ_PREV = Key("read.prev", bool, BUTTON, SESSION, "the previous section")
READ_NEXT = Key("read.next", bool, BUTTON, SESSION, "the next section")
READ_FIGURE = Family("read.figure.", "variant", None, CHART, SESSION, "a reading's figure")
READ_RETRY = Family("read.retry.", "item id", bool, BUTTON, SESSION,
                    "answer a check again (the store keeps the first answer: ui/checks.py)")
READ_CHECK_FIGURE = Family("read.check_figure.", "item id", None, CHART, SESSION,
                           "the curves a check asks about")
REFLECT_REVIEW_ANSWERS = Key("reflect.review_answers", dict[str, int], "", LEARNER,
                     "Reflect's review: item id -> the latest choice (ui/review.py)", dict)
REFLECT_REVIEW = Family("reflect.review.", "item id", int, "radio", LEARNER,
                     "one unanswered review item")
REFLECT_REVIEW_RETRY = Family("reflect.review_retry.", "item id", bool, BUTTON, LEARNER,
                      "answer a review item again")
REFLECT_REVIEW_FIGURE = Family("reflect.review_figure.", "item id", None, CHART, LEARNER,
                       "the curves a review item asks about")
LEARNERS_CONCEPT_TAKEN = Key("learners.concept_taken", dict[str, int | None], "", LEARNER,
                             'the concept checks handed in: phase ("pre", "post") -> the items '
                             "right, or None when skipped (ui/concept_check.py)", dict)
LEARNERS_CONCEPT = Family("learners.concept.", "phase.item id", int, "radio", LEARNER,
                      "one item of a concept check (ui/concept_check.py)")
LESSON_CONCEPT_FORM = Family("lesson.concept_form.", "phase", None, "form", SESSION,
                      "a concept check's form")
LESSON_CONCEPT_SUBMIT = Family("lesson.concept_submit.", "phase", bool, "form_submit_button",
                               SESSION, "hand the concept check in")
LESSON_CONCEPT_SKIP = Family("lesson.concept_skip.", "phase", bool, "form_submit_button", SESSION,
                      "skip the concept check")

BUILD_LAB = Key("build.lab", str, "radio", LEARNER,
                '"keras", "numpy" or "backprop": which lab is shown')
BUILD_CODE = Key("build.code", str, "", RESUMED,
                 "the Keras lab's code (the starter until edited; as last typed, stored)")
BUILD_CODE_EDITOR = Key("build.code_editor", dict, "component", LEARNER,
                        'the Keras lab\'s code editor: {"code": the text it last sent}')
BUILD_EDITOR_SYNC = Key("build.editor_sync", dict, "", LEARNER,
                        'code key -> {"seen", "token"}: the text its editor last had, and the id '
                        "of the last change made outside it (the editor takes the text over)", dict)
BUILD_LATEST = Key("build.latest", dict, "", RESUMED,
                   '{"spec", "config", "code"} of the latest "Train mine" (resumed: spec, config)')
BUILD_RUNS = Key("build.runs", list[dict], "", RESUMED,
                 'this learner\'s runs: {"label", "key"}, newest last', list)
BUILD_FX = Key("build.fx", str, "selectbox", LEARNER, "the data preview's x feature")
BUILD_FY = Key("build.fy", str, "selectbox", LEARNER, "the data preview's y feature")
BUILD_SCATTER = Key("build.scatter", None, CHART, LEARNER, "the data preview's scatter")
BUILD_SHOW_SOLUTION = Key("build.show_solution", bool, "toggle", LEARNER, "the Keras solution")
BUILD_ATTEMPTS = Key("build.attempts", dict[str, dict], "", LEARNER,
                    'lab name -> {"tried": ids of the attempts judged (a finished run\'s key, a '
                    'graded code\'s digest), "failed": the ids that missed a goal}: how far the '
                    "hints go (ui/attempts.py), and whether the solution may be shown", dict)
BUILD_VARIANT = Key("build.variant", str, "radio", LEARNER,
                    "the layout to try beside yours: a [[variants]] id of labs/overfit/lab.toml")
BUILD_VARIANT_TRAIN = Key("build.variant_train", bool, BUTTON, LEARNER, "train that variant")
BUILD_EPOCHS = Key("build.epochs", int, "number_input", LEARNER, "epochs to train")
BUILD_SEED = Key("build.seed", int, "number_input", LEARNER, "the training seed")
BUILD_CURVES = Key("build.curves", None, CHART, LEARNER, "the live training curves")
BUILD_NUMPY_CODE = Key("build.numpy_code", str, "", RESUMED,
                       "the NumPy lab's code (the starter until edited; the stored work's)")
BUILD_NUMPY_CODE_EDITOR = Key("build.numpy_code_editor", dict, "component", LEARNER,
                              'the NumPy lab\'s code editor: {"code": the text it last sent}')
BUILD_NUMPY_VERDICT = Key("build.numpy_verdict", tuple, "", RESUMED,
                          "(code, Verdict) of the last Grade")
BUILD_NUMPY_PASSED_CODE = Key("build.numpy_passed_code", str, "", RESUMED,
                              "the NumPy code that last passed: Explore can use it")
BUILD_NUMPY_GRADE = Key("build.numpy_grade", bool, BUTTON, LEARNER, "grade the NumPy code")
BUILD_NUMPY_SHOW_SOLUTION = Key("build.numpy_show_solution", bool, "toggle", LEARNER,
                                "the NumPy solution")
BUILD_BACKPROP_CODE = Key("build.backprop_code", str, "", RESUMED,
                          "the backprop lab's code (the starter until edited; the stored work's)")
BUILD_BACKPROP_CODE_EDITOR = Key("build.backprop_code_editor", dict, "component", LEARNER,
                                 'the backprop lab\'s code editor: {"code": the text it last sent}')
BUILD_BACKPROP_VERDICT = Key("build.backprop_verdict", tuple, "", RESUMED,
                             "(code, Verdict) of the backprop lab's last Grade")
BUILD_BACKPROP_PASSED_CODE = Key("build.backprop_passed_code", str, "", RESUMED,
                                 "the backprop code that last passed: it may train the network")
BUILD_BACKPROP_GRADE = Key("build.backprop_grade", bool, BUTTON, LEARNER,
                           "grade the backprop code")
BUILD_BACKPROP_SHOW_SOLUTION = Key("build.backprop_show_solution", bool, "toggle", LEARNER,
                                   "the backprop solution")
BUILD_NET_TRAIN = Key("build.net_train", bool, BUTTON, LEARNER,
                      "train the NumPy network with the learner's passing dropout")
BUILD_NET_CODE = Key("build.net_code", str, "", LEARNER,
                     "the code of this learner's NumPy network run (the shared runs' key)")
BUILD_NET_CURVES = Key("build.net_curves", None, CHART, LEARNER,
                       "the NumPy network's curves, beside the Keras runs")
BUILD_PREDICT_FORM = Key("build.predict_form", None, "form", LEARNER,
                         "the prediction before the first training")
BUILD_PREDICT_SHAPE = Key("build.predict_shape", str, "radio", LEARNER,
                          'what the no-dropout validation loss will do: "fall", "level", "climb"')
BUILD_PREDICT_ACCURACY = Key("build.predict_accuracy", float, "number_input", LEARNER,
                             "Dropout(0.3)'s predicted change of the final val. accuracy (points)")
BUILD_PREDICT_CHECK = Key("build.predict_check", bool, BUTTON, LEARNER, "commit the prediction")
BUILD_PREDICT_SKIP = Key("build.predict_skip", bool, BUTTON, LEARNER, "skip the prediction")
BUILD_PREDICT_RERUN = Key("build.predict_rerun", bool, "", LEARNER,
                          "just made or skipped in the editor's fragment: the whole page reruns")
BUILD_PREDICT_SHOWN = Key("build.predict_shown", bool, "", LEARNER,
                          "the prediction's reveal has been shown: it stays while runs train")
BUILD_PREDICT_CHART = Key("build.predict_chart", None, CHART, LEARNER,
                          "the prediction beside the lesson's runs")

COMPARE_REGULARISERS = Key("compare.regularisers", list[str], "pills", SESSION,
                           "other regularisers shown beside the curves")
COMPARE_CURVES = Key("compare.curves", None, CHART, SESSION, "with and without dropout")
COMPARE_SWEEP = Key("compare.sweep", None, CHART, SESSION, "the rate sweep's curves")
COMPARE_RATES = Key("compare.rates", None, CHART, SESSION, "final accuracy by rate")
COMPARE_LONG = Key("compare.long", bool, "toggle", SESSION, "show the sweep trained longer")
COMPARE_LONG_SWEEP = Key("compare.long_sweep", None, CHART, SESSION, "the long sweep's curves")
COMPARE_SOLUTION = Key("compare.solution", None, CHART, SESSION, "yours against the solution")
COMPARE_EXPORT_RUN = Key("compare.export_run", str, "selectbox", SESSION, "the run to export")
COMPARE_CSV = Key("compare.csv", bool, "download_button", SESSION, "the history as CSV")
COMPARE_SCRIPT = Key("compare.script", bool, "download_button", SESSION, "a Keras script")
COMPARE_NOTEBOOK = Key("compare.notebook", bool, "download_button", SESSION, "a notebook")
COMPARE_PREDICT_FORM = Key("compare.predict_form", None, "form", SESSION,
                           "the rate prediction, before the sweep is drawn")
COMPARE_PREDICT_RATE = Key("compare.predict_rate", float, "radio", SESSION,
                           "the rate expected to give the lowest final validation loss")
COMPARE_PREDICT_CHECK = Key("compare.predict_check", bool, BUTTON, SESSION, "commit the pick")
COMPARE_PREDICT_SKIP = Key("compare.predict_skip", bool, BUTTON, SESSION, "skip the pick")
COMPARE_PREDICT_CHART = Key("compare.predict_chart", None, CHART, SESSION,
                            "the final validation loss by rate, with the pick")

REFLECT_ANSWERS = Key("reflect.answers", dict[str, str], "", RESUMED,
                      "question id -> text: kept when the learner leaves the page", dict)
REFLECT_REVEALED = Key("reflect.revealed", set[str], "", LEARNER,
                       "question ids whose model answer is shown", set)
REFLECT_NUDGE = Key("reflect.nudge", str, "", LEARNER,
                    "a question whose reveal was asked for before any answer")
REFLECT_REFUSED = Key("reflect.refused", dict[str, str], "", LEARNER,
                      "question id -> why its answer was not kept (too long)", default=dict)
REFLECT_PICK = Key("reflect.pick", str, "radio", LEARNER, "how the packet is picked")
REFLECT_INDEX = Key("reflect.index", int, "number_input", LEARNER, "the packet's index")
REFLECT_PASSES = Key("reflect.passes", int, "slider", LEARNER, "MC passes for the packet")
REFLECT_RANDOM_INDEX = Key("reflect.random_index", int, "", LEARNER, "the random packet")
REFLECT_NEW_RANDOM = Key("reflect.new_random", bool, BUTTON, LEARNER, "another random packet")
REFLECT_PACKET_CHART = Key("reflect.packet_chart", None, CHART, LEARNER, "the packet's passes")
REFLECT_WHOLE_CHART = Key("reflect.whole_chart", None, CHART, LEARNER, "the whole set")
REFLECT_SPREAD_CHART = Key("reflect.spread_chart", None, CHART, LEARNER,
                           "the spread of P beside the spread of the logits")
REFLECT_ANSWER = Family("reflect.answer.", "question id", str, "text_area", LEARNER,
                        "an answer's text box (refilled from reflect.answers)")
REFLECT_DRAFTS = Key("reflect.drafts", dict, "component", LEARNER,
                     'the draft keeper: {"drafts": question id -> the text typed, sent a pause '
                     "after typing, before the box is left (ui/work.py)}")
REFLECT_REFILL = Key("reflect.refill", set[str], "", LEARNER,
                     "questions whose restored answer is not yet drawn in its box: kept until "
                     "its box is drawn (a rerun may cut a run before it)", set)
REFLECT_HIDE = Family("reflect.hide.", "question id", bool, BUTTON, LEARNER, "hide the answer")
REFLECT_REVEAL = Family("reflect.reveal.", "question id", bool, BUTTON, LEARNER,
                        "show the model answer")

DASHBOARD_AUTH = Key("dashboard.auth", dict, "", SESSION,
                     '{"digest": SHA-256 of the token given, "active": time of the last run, '
                     '"key": the dashboard-session key, "class": the class shown}: '
                     "checked against the configured token on every run; ends when idle")
DASHBOARD_TOKEN = Key("dashboard.token", str, "text_input", SESSION, "the token form's input")
DASHBOARD_REFUSED = Key("dashboard.refused", str, "", SESSION,
                        "why the token was refused (wrong, or wait): say it once")
DASHBOARD_SIGNED_OUT = Key("dashboard.signed_out", bool, "", SESSION,
                           "the session ended after inactivity: say so once")
DASHBOARD_ISSUED = Key("dashboard.issued", dict[int, str], "", SESSION,
                       "learner id -> a resume code issued here (shown until the lock)", dict)
DASHBOARD_REISSUE = Family("dashboard.reissue.", "learner id", bool, BUTTON, SESSION,
                           "issue a new resume link (the old one stops working)")
DASHBOARD_REMOVE_SURE = Family("dashboard.remove_sure.", "learner id", bool, "checkbox", SESSION,
                               "the instructor confirms removing a learner and their work")
DASHBOARD_REMOVE = Family("dashboard.remove.", "learner id", bool, BUTTON, SESSION,
                          "remove the learner and their work (only once confirmed)")
DASHBOARD_REMOVED = Key("dashboard.removed", tuple, "", SESSION,
                        "(kind, words) said once: who was just removed, or why nobody was")
DASHBOARD_ROSTER = Key("dashboard.roster", bool, BUTTON, SESSION,
                       "create the lesson file's roster and show their links")
DASHBOARD_ROSTER_LINES = Key("dashboard.roster_lines", list, "", SESSION,
                             "the roster's RosterLines just made (shown until the lock)")
DASHBOARD_LOGIN = Key("dashboard.login", None, "form", SESSION, "the token form")
DASHBOARD_CLASS = Key("dashboard.class", str, "text_input", SESSION, "the class code shown")
DASHBOARD_KEEPER = Key("dashboard.keeper", dict, "component", SESSION,
                       '{"key": the dashboard-session key this tab held over a reload} '
                       "(ui/dashboard_keep.py)")
DASHBOARD_FORGET = Key("dashboard.forget", bool, "", SESSION,
                       "the dashboard was locked: the tab drops its key, none is taken back")
DASHBOARD_DRAWN = Key("dashboard.drawn", float, "", SESSION,
                      "when the open dashboard was last drawn (ui/dashboard_refresh.py)")
DASHBOARD_REFRESH = Key("dashboard.refresh", bool, "", SESSION,
                        "this run is the dashboard's own refresh, not the instructor's click")
DASHBOARD_UPDATED = Key("dashboard.updated", None, "component", SESSION,
                        "'updated N s ago': ticks in the browser since the last refresh")
DASHBOARD_PROJECTOR = Key("dashboard.projector", bool, "toggle", SESSION,
                          "the projector view: the class as a whole, no names (ui/projector.py)")
DASHBOARD_PROJECTOR_STEPS = Key("dashboard.projector_steps", None, "dataframe", SESSION,
                                "the projector's steps: learners done and started, no names")
DASHBOARD_LOCK = Key("dashboard.lock", bool, BUTTON, SESSION, "sign out of the dashboard")
DASHBOARD_PROGRESS = Key("dashboard.progress", None, "dataframe", SESSION, "the class table")
DASHBOARD_PROGRESS_WORK = Key("dashboard.progress_work", None, "dataframe", SESSION,
                              "the class table's second half: work and resume links")
DASHBOARD_SWEEP = Key("dashboard.sweep", None, CHART, SESSION, "the class's own sweep")
DASHBOARD_CSV_PROGRESS = Key("dashboard.csv_progress", bool, "download_button", SESSION,
                             "the progress table as CSV")
DASHBOARD_CSV_WORK = Key("dashboard.csv_work", bool, "download_button", SESSION,
                         "every learner's work as CSV")
DASHBOARD_CSV_SWEEP = Key("dashboard.csv_sweep", bool, "download_button", SESSION,
                          "the sweep as CSV")
DASHBOARD_CSV_CANVAS = Key("dashboard.csv_canvas", bool, "download_button", SESSION,
                           "the whole-lesson scores as Canvas's gradebook imports them")
DASHBOARD_CSV_MOODLE = Key("dashboard.csv_moodle", bool, "download_button", SESSION,
                           "the whole-lesson scores as Moodle's grade import reads them")
DASHBOARD_LMS_PULL = Key("dashboard.lms_pull", bool, BUTTON, SESSION,
                         "get the LMS course's members (NRPS)")
DASHBOARD_LMS_WAITING = Key("dashboard.lms_waiting", None, "dataframe", SESSION,
                            "the LMS course's learners who have not started")
DASHBOARD_INSIGHTS = Key("dashboard.insights", bool, "toggle", SESSION,
                         "show what the class thinks (ui/class_view.py)")
DASHBOARD_QUIZ = Key("dashboard.quiz", None, "dataframe", SESSION, "the quiz items' first tries")
DASHBOARD_GAIN = Key("dashboard.gain", None, "dataframe", SESSION,
                     "each learner's concept checks and gain (ui/learning_gain.py)")
DASHBOARD_PREDICTION = Family("dashboard.prediction.", "prediction id", None, CHART, SESSION,
                              "the class's answers to a prediction against its outcome")
DASHBOARD_CSV_GRADEBOOK = Key("dashboard.csv_gradebook", bool, "download_button", SESSION,
                              "a row per learner, a column per item, as CSV")
DASHBOARD_CSV_ITEMS = Key("dashboard.csv_items", bool, "download_button", SESSION,
                          "a row per item, as CSV")
DASHBOARD_LIVE_START = Key("dashboard.live_start", bool, BUTTON, SESSION,
                           "start a live session for the class (ui/live_controls.py)")
DASHBOARD_LIVE_END = Key("dashboard.live_end", bool, BUTTON, SESSION, "end the live session")
DASHBOARD_LIVE_QUESTION = Key("dashboard.live_question", str, "selectbox", SESSION,
                              "the live question picked (lesson/live.py ids)")
DASHBOARD_LIVE_ASK = Key("dashboard.live_ask", bool, BUTTON, SESSION, "ask the question picked")
DASHBOARD_LIVE_STEP = Family("dashboard.live_step.", "stage", bool, BUTTON, SESSION,
                             "move the live question to this stage (store/live.py STAGES)")
DASHBOARD_LIVE_SAID = Key("dashboard.live_said", str, "", SESSION,
                          "why a live control did nothing (another tab moved on): say it once")
DASHBOARD_LIVE_REPORT = Key("dashboard.live_report", None, "dataframe", SESSION,
                            "the live sessions' questions beside the self-paced answers")
DASHBOARD_CSV_LIVE_LEARNERS = Key("dashboard.csv_live_learners", bool, "download_button",
                                  SESSION, "the live votes, a row per learner and question")
DASHBOARD_CSV_LIVE_QUESTIONS = Key("dashboard.csv_live_questions", bool, "download_button",
                                   SESSION, "the live votes, a row per question asked")
LEARNERS_LIVE_CHOICE = Family("learners.live_choice.", "round id", str, "radio", LEARNER,
                              "the learner's pick in an open live round (ui/live.py)")
LEARNERS_LIVE_VOTE = Family("learners.live_vote.", "round id", bool, BUTTON, LEARNER,
                            "vote in a live round")
LEARNERS_LIVE_SAID = Key("learners.live_said", tuple, "", LEARNER,
                         "(round id, kind, words): what the store said of the learner's vote")
DASHBOARD_LIVE_CLASS = Key("dashboard.live_class", str, "text_input", SESSION,
                           "the projector's class code: ?class=, else the lesson file's")
DASHBOARD_LIVE_CHART = Key("dashboard.live_chart", None, CHART, SESSION,
                           "the projector's distributions")
# fmt: on

TABLE: tuple[Key | Family, ...] = tuple(
    v for v in dict(globals()).values() if isinstance(v, Key | Family)
)
KEYS: dict[str, Key] = {k.name: k for k in TABLE if isinstance(k, Key)}
FAMILIES: tuple[Family, ...] = tuple(k for k in TABLE if isinstance(k, Family))
RESUMED_KEYS: tuple[Key, ...] = tuple(k for k in KEYS.values() if k.resume)
if len({k.name for k in TABLE}) != len(TABLE):
    raise RuntimeError("a session key is declared twice")  # pragma: no cover


# --------------------------------------------------------------------------- helpers


def lookup(key: str) -> Key | Family | None:
    """The table's entry for a key (a family's for one of its keys), or None."""
    return KEYS.get(key) or next((f for f in FAMILIES if f.owns(key)), None)


def is_learners(key: object) -> bool:
    """True for a key that holds one learner's work (cleared when they leave)."""
    entry = lookup(str(key))
    return entry is not None and entry.learner


def value(key: Key) -> Any:
    """The key's value, set to a fresh default first if it is absent."""
    return st.session_state.setdefault(key, key.fresh())


def clear_learners() -> None:
    """Forget every key that holds the learner's work."""
    for key in [k for k in st.session_state if is_learners(k)]:
        del st.session_state[key]
