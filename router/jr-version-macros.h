/* jr-version-macros.h — what the library exports, and since when.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Both libraries (libjobrouter-1 and libjobrouter-ui-1) are built with
 * -fvisibility=hidden: a function is exported only when its declaration
 * in an installed header carries one of the JR_AVAILABLE_IN_* macros
 * below. The macro also says in which version the function appeared, so
 * that a program can ask for warnings when it uses something newer than
 * the version it targets:
 *
 *   #define JR_VERSION_MIN_REQUIRED JR_VERSION_0_2
 *   #define JR_VERSION_MAX_ALLOWED  JR_VERSION_0_2
 *   #include <jobrouter.h>
 *
 * Adding a release: define JR_VERSION_X_Y, then JR_AVAILABLE_IN_X_Y and
 * JR_DEPRECATED_IN_X_Y[_FOR] the way 0.2's are made below, and declare
 * what it adds with JR_AVAILABLE_IN_X_Y (and `Since: X.Y` in its docs).
 * tests/test-abi.py checks that the exports and the headers agree.
 *
 * Threads: macros only.
 */
#pragma once

#if !defined(JOBROUTER_INSIDE) && !defined(JOBROUTER_COMPILATION)
#error "Only <jobrouter.h> can be included directly."
#endif

#ifndef JR_MAJOR_VERSION
#error "jr-version-macros.h is included through jr-version.h."
#endif

#include <glib.h>

/* Every exported declaration starts with this. The attribute makes the
 * definition visible outside the library in spite of -fvisibility=hidden;
 * for a program it only declares the function. */
#if defined(__GNUC__) || defined(__clang__)
# define _JR_EXTERN __attribute__((visibility ("default"))) extern
#else
# define _JR_EXTERN extern
#endif

/* The releases that changed the API, encoded as G_ENCODE_VERSION does. */
#define JR_VERSION_0_1 (G_ENCODE_VERSION (0, 1))
#define JR_VERSION_0_2 (G_ENCODE_VERSION (0, 2))

/* The release these headers belong to. */
#define JR_VERSION_CUR_STABLE (G_ENCODE_VERSION (JR_MAJOR_VERSION, JR_MINOR_VERSION))

/* A program may define JR_VERSION_MIN_REQUIRED (no deprecation warnings
 * for what was deprecated after it) and JR_VERSION_MAX_ALLOWED (a warning
 * for every use of what appeared after it) before including <jobrouter.h>.
 * Both default to the current release. */
#ifndef JR_VERSION_MIN_REQUIRED
# define JR_VERSION_MIN_REQUIRED (JR_VERSION_CUR_STABLE)
#endif

#ifndef JR_VERSION_MAX_ALLOWED
# define JR_VERSION_MAX_ALLOWED (JR_VERSION_CUR_STABLE)
#endif

#if JR_VERSION_MAX_ALLOWED < JR_VERSION_MIN_REQUIRED
# error "JR_VERSION_MAX_ALLOWED must be at least JR_VERSION_MIN_REQUIRED."
#endif

#ifdef JR_DISABLE_DEPRECATION_WARNINGS
# define JR_DEPRECATED _JR_EXTERN
# define JR_DEPRECATED_FOR(f) _JR_EXTERN
# define JR_UNAVAILABLE(major, minor) _JR_EXTERN
#else
# define JR_DEPRECATED G_DEPRECATED _JR_EXTERN
# define JR_DEPRECATED_FOR(f) G_DEPRECATED_FOR (f) _JR_EXTERN
# define JR_UNAVAILABLE(major, minor) G_UNAVAILABLE (major, minor) _JR_EXTERN
#endif

/* In the library since its first release (0.1). */
#define JR_AVAILABLE_IN_ALL _JR_EXTERN

/* 0.2 */
#if JR_VERSION_MAX_ALLOWED < JR_VERSION_0_2
# define JR_AVAILABLE_IN_0_2 JR_UNAVAILABLE (0, 2)
#else
# define JR_AVAILABLE_IN_0_2 _JR_EXTERN
#endif

#if JR_VERSION_MIN_REQUIRED >= JR_VERSION_0_2
# define JR_DEPRECATED_IN_0_2 JR_DEPRECATED
# define JR_DEPRECATED_IN_0_2_FOR(f) JR_DEPRECATED_FOR (f)
#else
# define JR_DEPRECATED_IN_0_2 _JR_EXTERN
# define JR_DEPRECATED_IN_0_2_FOR(f) _JR_EXTERN
#endif
