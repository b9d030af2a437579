/** Messages of one console area (server error codes of the area as `err.<code>`). */
export const zhIntegration = {
};

export const enIntegration: Record<keyof typeof zhIntegration, string> = {
};
