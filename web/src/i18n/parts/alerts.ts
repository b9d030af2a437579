/** Messages of one console area, kept apart so areas can grow without touching each other's lines. */
export const zhAlerts = {
} as const;

export const enAlerts: Record<keyof typeof zhAlerts, string> = {
};
