#include "canary/cohortspanel.h"

#include "canary/cohorteditor.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>

using namespace Qt::StringLiterals;

namespace Raize::Ui {

namespace {

QString count(qsizetype n, const QString &one, const QString &many)
{
    return u"%1 %2"_s.arg(n).arg(n == 1 ? one : many);
}

QString describe(const Release::Cohort &c)
{
    if (c.everyone())
        return u"<b>%1</b> (everyone else)"_s.arg(c.name.toHtmlEscaped());
    return u"<b>%1</b> (%2, %3)"_s.arg(c.name.toHtmlEscaped(), count(c.clientIds.size(), u"client"_s, u"clients"_s),
                                       count(c.platformAccountIds.size(), u"account"_s, u"accounts"_s));
}

} // namespace

CohortsPanel::CohortsPanel(Settings &settings, const Policy::Bundle &bundle, Records::AuditSink *audit, QWidget *parent)
    : QWidget(parent)
    , m_settings(settings)
    , m_bundle(bundle)
    , m_audit(audit)
{
    setObjectName(u"cohortsPanel"_s);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_summary = new QLabel;
    m_summary->setObjectName(u"cohortSummary"_s);
    m_summary->setWordWrap(true);
    m_summary->setTextFormat(Qt::RichText);
    layout->addWidget(m_summary, 1);
    m_edit = new QPushButton(u"Edit cohorts…"_s);
    m_edit->setObjectName(u"editCohortsButton"_s);
    m_edit->setToolTip(u"Edit this profile's canary cohorts (client and platform account ids per cohort)"_s);
    layout->addWidget(m_edit, 0, Qt::AlignTop);
    connect(m_edit, &QPushButton::clicked, this, [this] { openEditor(); });
    if (const auto loaded = Release::effectiveCohorts(m_settings, m_bundle)) {
        display(*loaded);
    } else {
        m_summary->setText(u"<span style='color:#b71c1c'>%1</span>"_s.arg(loaded.error().message.toHtmlEscaped()));
    }
}

CohortsPanel::~CohortsPanel() = default;

QString CohortsPanel::summary() const
{
    return m_summary->text();
}

void CohortsPanel::display(const Release::EffectiveCohorts &cohorts)
{
    m_current = cohorts;
    QStringList parts;
    QStringList tip;
    for (const Release::Cohort &c : cohorts.cohorts) {
        parts << describe(c);
        tip << u"%1 (%2): clients %3; platform accounts %4"_s.arg(c.name, c.id, c.clientIds.join(u", "_s),
                                                                 c.platformAccountIds.join(u", "_s));
    }
    QString text = u"Cohorts %1: %2"_s.arg(cohorts.fromSettings ? u"from this profile's settings"_s : u"from the policy bundle"_s,
                                          parts.join(u" · "_s));
    if (cohorts.overrideError)
        text += u"<br><span style='color:#b71c1c'>The profile's stored cohorts are not used: %1</span>"_s.arg(
            cohorts.overrideError->message.toHtmlEscaped());
    m_summary->setText(text);
    m_summary->setToolTip(tip.join(u'\n'));
}

CohortEditor *CohortsPanel::openEditor()
{
    if (m_editor) {
        m_editor->raise();
        m_editor->activateWindow();
        return m_editor;
    }
    m_editor = new CohortEditor(m_settings, m_bundle, m_audit, this);
    m_editor->setWriteGuard(m_guard);
    m_editor->setIdentity(m_identity);
    m_editor->setAttribute(Qt::WA_DeleteOnClose);
    connect(m_editor, &CohortEditor::cohortsSaved, this, &CohortsPanel::reload);
    m_editor->open();
    return m_editor;
}

void CohortsPanel::setIdentity(const Identity &identity)
{
    m_identity = identity;
    if (m_editor)
        m_editor->setIdentity(identity);
}

void CohortsPanel::reload()
{
    const Result<Release::EffectiveCohorts> loaded = Release::effectiveCohorts(m_settings, m_bundle);
    if (!loaded)
        return;
    display(*loaded);
    Q_EMIT cohortsChanged(m_current.cohorts);
}

} // namespace Raize::Ui
