// workflow: GitHub Actions workflow files, with GitHub's meaning: the model of a file (what it
// says, each part with its file:line:col), its parsing and validation, whether an event
// triggers it and why, and the plan of its jobs (needs graph, matrix legs, conditions).
//
// Each part has its own header, included here; include this one.
#pragma once

#include "workflow/artifacts.h"
#include "workflow/cron.h"
#include "workflow/event.h"
#include "workflow/github_context.h"
#include "workflow/glob.h"
#include "workflow/history.h"
#include "workflow/lint.h"
#include "workflow/matrix.h"
#include "workflow/model.h"
#include "workflow/notify.h"
#include "workflow/parse.h"
#include "workflow/plan.h"
#include "workflow/trigger.h"
#include "workflow/trigger_match.h"
