/** Messages of one console area (server error codes of the area as `err.<code>`). */
export const zhMonitor3 = {
};

export const enMonitor3: Record<keyof typeof zhMonitor3, string> = {
};
