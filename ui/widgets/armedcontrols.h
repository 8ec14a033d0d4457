#pragma once

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QStringList>

class QWidget;

namespace Raize {
class Arming;
}

namespace Raize::Ui {

// Read-only until armed, on screen (ADR 0028): every control that changes
// something is disabled while the profile is disarmed, with a tooltip that
// says why and how to arm, and gets its own state back once armed. A view
// that enables one of them meanwhile (its own refresh) is remembered and
// overruled until the profile is armed. The use cases refuse a change
// anyway (the Arming is their WriteGuard): this is what the operator sees.
class ArmedControls : public QObject
{
    Q_OBJECT

public:
    // The controls that change something, by objectName. The rollback's
    // (rollbackButton, openRollback) and the kill switch are not listed:
    // the playbook keeps them usable unarmed. One table, checked by a test
    // against the window so a rename cannot drop a control.
    static const QStringList &gatedControls();

    // Finds gatedControls() under `root` and keeps them in step with `arming`. Not owned.
    ArmedControls(Arming &arming, QWidget *root, QObject *parent = nullptr);
    ~ArmedControls() override;

    // The names it did not find under root (a view not installed yet, a rename).
    QStringList missing() const { return m_missing; }
    // Looks the controls up again (a view was replaced) and applies the state.
    void attach();
    // Applies the arming's state now (it follows Arming::changed by itself).
    void refresh();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    struct Held
    {
        bool wanted = true; // the view's own state: what the control gets back once armed
        QString toolTip; // the view's own tooltip
    };
    void hold(QWidget *w);
    void release(QWidget *w);

    Arming &m_arming;
    QPointer<QWidget> m_root;
    QList<QPointer<QWidget>> m_controls;
    QHash<QWidget *, Held> m_held;
    QStringList m_missing;
    bool m_applying = false;
};

} // namespace Raize::Ui
