// `raize-console kill-switch` (issue #9): every side-effect flag in a scope
// off, in one parallel fan-out, through the rollback's plan/execute path.

#include "cli/cli.h"

namespace Raize::Cli {

using namespace Qt::StringLiterals;

int rollbackPlanOrExecute(Context &ctx, bool executeIt, bool killSwitch); // rollbackcommand.cpp

const CommandHelp &killSwitchHelp()
{
    static const CommandHelp help{
        u"usage: raize-console kill-switch --scope S [--confirm ENVIRONMENT] [--reason TEXT] [--dry-run]\n"
        u"                                 [--journal-dir DIR] [--keychain-service S] [--json]\n"
        u"Turns off every side-effect flag that is on in the scope, in one parallel fan-out (playbook §8, P0):\n"
        u"no marker, no incident, no deployment change. --dry-run prints the plan; executing needs --confirm.\n"
        u"With rollback.killSwitchParent in the policy, a global kill switch turns that parent off first (one call).\n"
        u"The plan shows its blast radius: who stops being served each flag, asked of the flag service's own\n"
        u"evaluator (\"unknown\" when it does not answer: the kill switch still runs), and asks again afterwards.\n"
        u"Needs no --arm: the kill switch stays usable on a profile that is read-only until armed (the playbook's\n"
        u"exception, ADR 0028), behind its own typed --confirm.\n"
        u"\n"
        u"Options:\n"
        u"  --scope S                global (default) | client:ID,.. | account:ID,.. | lane:api|browser | service:NAME\n"
        u"  --confirm ENVIRONMENT    the guard: what the policy's confirmations table asks for \"killSwitch\", typed\n"
        u"                           exactly: the flag environment's name (e.g. production) unless the\n"
        u"                           bundle asks for a word (never nothing: playbook §7.2)\n"
        u"  --reason TEXT            the operator's reason (journal, audit log)\n"
        u"  --dry-run                print the plan and change nothing\n"
        u"  --journal-dir DIR        where the run journal goes (default: the profile's state folder)\n"
        u"  --keychain-service S     the keychain's service name for the tokens (default: raize-console)\n"
        u"  --json                   the plan or the run as JSON\n"
        u"\n"
        u"Exit codes: 0 the flags are off (or none was on); 1 refused (a run in progress); 2 could not run,\n"
        u"no --confirm, or stopped (`rollback resume` continues).\n"
        u"Example: raize-console kill-switch --scope global --confirm production --reason \"duplicate posts\"\n"_s,
        {}};
    return help;
}

int killSwitchCommand(Context &ctx)
{
    return rollbackPlanOrExecute(ctx, true, true);
}

} // namespace Raize::Cli
