import ReviewsIcon from '@mui/icons-material/RateReview';

import { MyReviewsPage } from './MyReviewsPage.tsx';

/** The reviewer's queue across active campaigns: a page of its own, with its own menu entry. */
export default {
  path: '/my-reviews',
  label: 'My reviews',
  page: MyReviewsPage,
  icon: ReviewsIcon,
};
