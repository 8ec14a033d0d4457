#include "promotion/releasenotesdialog.h"

#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QLabel>
#include <QPlainTextEdit>
#include <QTabWidget>
#include <QVBoxLayout>

namespace Raize::Ui {

using namespace Qt::StringLiterals;

ReleaseNotesDialog::ReleaseNotesDialog(const Records::ReleaseEvidence &evidence, const Records::RecordsPolicy &policy, QWidget *parent)
    : QDialog(parent)
{
    setObjectName(u"releaseNotesDialog"_s);
    setWindowTitle(tr("Release notes — %1").arg(evidence.version.isEmpty() ? evidence.deploymentId : u'v' + evidence.version));
    const auto editor = [this](const QString &name, const QString &text) {
        auto *e = new QPlainTextEdit(this);
        e->setObjectName(name);
        e->setReadOnly(true);
        e->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
        e->setPlainText(text);
        return e;
    };
    m_operator = editor(u"releaseNotesOperator"_s, Records::EvidenceNotes::build(evidence, policy, Records::NotesAudience::Operator).body);
    m_client = editor(u"releaseNotesClient"_s, Records::EvidenceNotes::build(evidence, policy, Records::NotesAudience::Client).body);
    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(u"releaseNotesTabs"_s);
    m_tabs->addTab(m_operator, tr("Operator"));
    m_tabs->addTab(m_client, tr("Client (%1)").arg(policy.clientSections.join(u", "_s)));
    auto *note = new QLabel(tr("From the evidence recorded at the promote of %1 (review digest %2) and the repository's open incidents; "
                               "the client version shows the policy's client sections and no flag names.")
                                .arg(evidence.deploymentId, evidence.digest.left(12)),
                            this);
    note->setWordWrap(true);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(note);
    layout->addWidget(m_tabs, 1);
    layout->addWidget(buttons);
    resize(820, 640);
}

QString ReleaseNotesDialog::operatorText() const
{
    return m_operator->toPlainText();
}

QString ReleaseNotesDialog::clientText() const
{
    return m_client->toPlainText();
}

} // namespace Raize::Ui
