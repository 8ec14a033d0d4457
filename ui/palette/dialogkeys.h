#pragma once

#include <QObject>
#include <QPointer>

class QDialog;
class QWidget;

namespace Raize::Ui {

class CommandPalette;

// The keyboard in every dialog of the console (issue #21 items 1, 2 and 5),
// as an application-wide event filter so a dialog added later is covered
// without remembering to call anything: when a dialog shows, its controls get
// their keys from the shortcut table (shortcuttable.h), and Ctrl+K in it opens
// a command palette of that dialog's own buttons (the main window's palette is
// out of reach behind a modal dialog). When a dialog closes, the focus goes
// back to the control that had it before it opened, if that is still there.
class DialogKeys : public QObject
{
    Q_OBJECT

public:
    // Installs itself on the application; `window` is the console's main window.
    explicit DialogKeys(QWidget *window);
    ~DialogKeys() override;

    // The palette Ctrl+K opened in `dialog` (null when it never did).
    CommandPalette *paletteOf(QDialog *dialog) const;
    // Ctrl+K inside a dialog: its buttons by fuzzy search.
    void openPalette(QDialog *dialog);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void prepare(QDialog *dialog);

    QPointer<QWidget> m_window;
};

} // namespace Raize::Ui
