/**
 * What we tell an employee in WeCom or DingTalk, without vendor fields. Adapters render it: a card becomes a WeCom
 * button_interaction template card or a DingTalk action card.
 */
export interface ChatButton {
  /** Comes back in the click event; ≤ 64 characters. */
  readonly key: string;
  /** ≤ 10 characters is what fits on a phone. */
  readonly text: string;
  readonly style?: 'primary' | 'default' | 'danger';
}

export type ChatMessage =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'markdown'; readonly title: string; readonly markdown: string }
  | {
      readonly kind: 'card';
      /** Identifies the card for its clicks and later updates: unique per app. */
      readonly cardId: string;
      readonly title: string;
      readonly description?: string;
      readonly fields?: readonly { readonly label: string; readonly value: string }[];
      readonly url?: string;
      readonly buttons: readonly ChatButton[];
    };

/** Marks the clicked card as handled for the people given, e.g. the button becomes "已确认". */
export interface ChatCardUpdate {
  /** The single-use code the platform gave with the card or with the click. */
  readonly responseCode: string;
  readonly recipients: readonly string[];
  readonly replaceButtonText: string;
}
