"""Screens of the console.

The main screen is :mod:`.main`.  Other screens plug in by *name*, without editing the
App: the App's ``open_screen(name)`` action (F2 page, F4 incidents, F5 roll call, F6
drill, F7 log, F8 PTT) imports ``console.tui.screens.<name>`` and calls its
``make_screen(app) -> Screen`` (or uses a factory registered in
``DutyDeskApp.screen_factories``); until such a module exists the key shows a notice.
"""
