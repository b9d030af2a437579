/** Messages of one console area, kept apart so areas can grow without touching each other's lines. */
export const zhDashboards = {
} as const;

export const enDashboards: Record<keyof typeof zhDashboards, string> = {
};
