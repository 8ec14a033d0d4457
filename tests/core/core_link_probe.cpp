// Links every console_core library and nothing else; test_core_links_no_widgets
// reads its dynamic section. Referencing symbols keeps the libraries linked.
#include "cli/cli.h"
#include "core/redactor.h"
#include "core/settings.h"
#include "core/tokenstore.h"

#include <QCoreApplication>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    Raize::TokenStore store(QStringLiteral("probe"));
    return Raize::Cli::isSubcommand(Raize::Redactor::redact(QStringLiteral("token"))) ? 1 : 0;
}
