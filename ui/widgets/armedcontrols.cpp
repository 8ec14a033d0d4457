#include "widgets/armedcontrols.h"

#include "workspace/arming.h"

#include <QEvent>
#include <QWidget>

namespace Raize::Ui {

using namespace Qt::StringLiterals;

const QStringList &ArmedControls::gatedControls()
{
    static const QStringList names = {
        u"promotionApprove"_s, // approves the production environment's deployment
        u"promotionOverride"_s, // passes over a failing gate
        u"promotionPromote"_s, // promotes the candidate to production
        u"promotionStagingPromote"_s, // assigns the staging domain to a preview deployment (§2.2)
        u"matrixTurnOnButton"_s, // toggle matrix: a flag on for a scope
        u"matrixTurnOffButton"_s, // toggle matrix: a flag off for a scope
        u"autoPacingArmButton"_s, // arms auto-pacing (it changes production flags by itself)
        u"editCohortsButton"_s, // changes who each rollout stage exposes
        u"restoreRun"_s, // serves again what a rollback turned off (widens exposure)
        u"canaryStart"_s, // two-axis canary: a rolling release of a deployment at stage 1
        u"canaryAdvance"_s, // two-axis canary: the next stage's traffic share and cohorts (widens exposure)
    };
    return names;
}

ArmedControls::ArmedControls(Arming &arming, QWidget *root, QObject *parent)
    : QObject(parent)
    , m_arming(arming)
    , m_root(root)
{
    connect(&m_arming, &Arming::changed, this, &ArmedControls::refresh);
    attach();
}

ArmedControls::~ArmedControls()
{
    for (const QPointer<QWidget> &w : std::as_const(m_controls)) {
        if (w)
            w->removeEventFilter(this);
    }
}

void ArmedControls::attach()
{
    for (const QPointer<QWidget> &w : std::as_const(m_controls)) {
        if (w)
            w->removeEventFilter(this);
    }
    m_controls.clear();
    m_missing.clear();
    for (const QString &name : gatedControls()) {
        QWidget *w = m_root ? m_root->findChild<QWidget *>(name) : nullptr;
        if (!w) {
            m_missing << name;
            continue;
        }
        w->installEventFilter(this);
        m_controls << w;
    }
    refresh();
}

void ArmedControls::refresh()
{
    const bool writable = m_arming.writable();
    for (const QPointer<QWidget> &w : std::as_const(m_controls)) {
        if (!w)
            continue;
        if (writable)
            release(w);
        else
            hold(w);
    }
}

void ArmedControls::hold(QWidget *w)
{
    const QString why = m_arming.readOnlyReason();
    if (!m_held.contains(w))
        // The view's own wish: an explicit setEnabled(false) sets WA_ForceDisabled; a disabled parent does not.
        m_held.insert(w, {!w->testAttribute(Qt::WA_ForceDisabled), w->toolTip()});
    m_applying = true;
    w->setEnabled(false);
    if (w->toolTip() != why)
        w->setToolTip(why);
    m_applying = false;
}

void ArmedControls::release(QWidget *w)
{
    const auto it = m_held.find(w);
    if (it == m_held.end())
        return;
    const Held held = it.value();
    m_held.erase(it);
    m_applying = true;
    w->setEnabled(held.wanted);
    w->setToolTip(held.toolTip);
    m_applying = false;
}

bool ArmedControls::eventFilter(QObject *watched, QEvent *event)
{
    auto *w = qobject_cast<QWidget *>(watched);
    if (!w || m_applying || !m_held.contains(w))
        return QObject::eventFilter(watched, event);
    if (event->type() == QEvent::EnabledChange) {
        // The view changed its control while the profile is disarmed: keep its wish, keep it disabled.
        m_held[w].wanted = !w->testAttribute(Qt::WA_ForceDisabled);
        if (w->isEnabled()) {
            m_applying = true;
            w->setEnabled(false);
            m_applying = false;
        }
    } else if (event->type() == QEvent::ToolTipChange) {
        const QString why = m_arming.readOnlyReason();
        if (w->toolTip() != why) {
            m_held[w].toolTip = w->toolTip();
            m_applying = true;
            w->setToolTip(why);
            m_applying = false;
        }
    }
    return QObject::eventFilter(watched, event);
}

} // namespace Raize::Ui
