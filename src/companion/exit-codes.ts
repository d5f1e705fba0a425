/** The exit status of a companion process whose target could not be loaded (sysexits' EX_CONFIG). */
export const TARGET_LOAD_FAILED_EXIT_CODE = 78;

/** The exit status of a manager that cannot start at all (socket in use, unusable state): not worth restarting at boot. */
export const MANAGER_FATAL_EXIT_CODE = 78;
