/** Messages of one console area (server error codes of the area as `err.<code>`). */
export const zhAuth = {
};

export const enAuth: Record<keyof typeof zhAuth, string> = {
};
